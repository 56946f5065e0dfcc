"""Dependencies of the JSON API: the bearer-token caller and the caller's task, project
or label.

Only `Authorization: Bearer` authenticates here. A session cookie never does,
so a page on another site cannot make a logged-in browser call the API (the
API has no CSRF tokens and needs none).
"""

from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

import webapp.routing  # noqa: F401  (registers the {…:id} path convertor)
from webapp.api.etags import changed_detail
from webapp.db import SessionDep
from webapp.models.task import Task
from webapp.models.user import Account
from webapp.services.label_service import LabelNotFound, LabelService
from webapp.services.project_service import ProjectNotFound, ProjectService
from webapp.services.task_service import TaskService
from webapp.services.token_service import TokenService

# auto_error=False: FastAPI's own error would be a 403 without WWW-Authenticate;
# the scheme is declared only so /docs shows it and offers "Authorize".
bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="tm_ token",
    description="A personal token from POST /api/auth/token or the settings page.",
)


class ErrorResponse(BaseModel):
    """Every API error: a human-readable `detail` and a stable machine-readable `code`."""

    detail: str
    code: str


class Problem(BaseModel):
    """One thing wrong with a request: where (`loc`), what (`msg`) and its kind (`type`)."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorResponse(BaseModel):
    """A 422: each problem of the request, never its input."""

    detail: list[Problem]
    code: Literal["validation_failed"]


def error_doc(description: str, example: str, code: str) -> dict:
    """An error answer as OpenAPI documents it (`responses={status: error_doc(...)}`)."""
    return {
        "model": ErrorResponse,
        "description": description,
        "content": {"application/json": {"example": {"detail": example, "code": code}}},
    }


UNAUTHORIZED = error_doc(
    "Missing, unknown, revoked or expired bearer token", "Not authenticated", "not_authenticated"
)
FORBIDDEN = error_doc("user_id is not the caller's", "Not your user_id", "forbidden")
NOT_FOUND = error_doc("No such task among the caller's", "Task not found", "not_found")
PROJECT_NOT_FOUND = error_doc(
    "No such project among the caller's", "Project not found", "not_found"
)
LABEL_NOT_FOUND = error_doc("No such label among the caller's", "Label not found", "not_found")
TOO_LARGE = error_doc("Request body over 64 KiB", "Request body too large", "body_too_large")
INVALID = {
    "model": ValidationErrorResponse,
    "description": "The path, query, headers or body break the rules this document gives",
    "content": {
        "application/json": {
            "example": {
                "detail": [{"loc": ["body", "title"], "msg": "Field required", "type": "missing"}],
                "code": "validation_failed",
            }
        }
    },
}
NO_SUCH_PATH = error_doc(
    "A path segment that is no id (ids run from 1 to 2147483647): no such resource",
    "Not Found",
    "not_found",
)
UNAVAILABLE = {
    "model": ErrorResponse,
    "description": "The database is out of reach for a moment (a restart, a failover): "
    "nothing was changed; try again after Retry-After seconds",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    "content": {
        "application/json": {
            "example": {
                "detail": "The database is temporarily unavailable; try again shortly",
                "code": "unavailable",
            }
        }
    },
}
NOT_MODIFIED = {
    "description": "If-None-Match names the current ETag: nothing changed, no body",
    "headers": {"ETag": {"description": "The current ETag", "schema": {"type": "string"}}},
}
# Every answer an operation on the caller's own data may give whatever else it does
# (an operation with its own 404 replaces NO_SUCH_PATH with it).
COMMON = {401: UNAUTHORIZED, 403: FORBIDDEN, 404: NO_SUCH_PATH, 422: INVALID, 503: UNAVAILABLE}


def changed_doc(what: str) -> dict:
    """The 412 of a change whose If-Match names another version of the task, project or
    label (`what`); the answer carries the current ETag."""
    current = {"description": "The current ETag", "schema": {"type": "string"}, "required": True}
    doc = error_doc(
        f"If-Match does not match the {what}'s current ETag",
        changed_detail(what),
        "precondition_failed",
    )
    return doc | {"headers": {"ETag": current}}


PRECONDITION_FAILED = changed_doc("task")
PROJECT_CHANGED = changed_doc("project")
LABEL_CHANGED = changed_doc("label")


def project_not_found() -> HTTPException:
    """A project that is not the caller's, in a path or in a body: the same 404."""
    return HTTPException(status_code=404, detail="Project not found")


def label_not_found() -> HTTPException:
    return HTTPException(status_code=404, detail="Label not found")


def not_authenticated(detail: str = "Not authenticated") -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def get_current_api_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Account:
    if credentials is None:
        raise not_authenticated()
    user = await TokenService(session).authenticate(credentials.credentials)
    if user is None:
        raise not_authenticated("Invalid or expired token")
    return user


ApiUser = Annotated[Account, Depends(get_current_api_user)]


async def get_path_owner(user_id: Annotated[int, Path()], user: ApiUser) -> Account:
    """The caller, when the path's user_id is theirs (403 otherwise: the id is no secret)."""
    if user_id != user.id:
        raise HTTPException(status_code=403, detail="Not your user_id")
    return user


PathOwner = Annotated[Account, Depends(get_path_owner)]


async def get_owned_task(
    task_id: Annotated[int, Path()], owner: PathOwner, session: SessionDep
) -> Task:
    """The caller's task; TaskNotFound (a 404) when it is someone else's or missing."""
    return await TaskService(session).get_task(owner.id, task_id)


OwnedApiTask = Annotated[Task, Depends(get_owned_task)]


async def get_owned_project(
    project_id: Annotated[int, Path()], owner: PathOwner, session: SessionDep
) -> Any:
    """The caller's project; a 404 when it is someone else's, missing, or no row's id."""
    try:
        return await ProjectService(session).get_project(owner.id, project_id)
    except ProjectNotFound:
        raise project_not_found() from None


OwnedApiProject = Annotated[Any, Depends(get_owned_project)]


async def get_owned_label(
    label_id: Annotated[int, Path()], owner: PathOwner, session: SessionDep
) -> Any:
    """The caller's label; a 404 when it is someone else's, missing, or no row's id."""
    try:
        return await LabelService(session).get_label(owner.id, label_id)
    except LabelNotFound:
        raise label_not_found() from None


OwnedApiLabel = Annotated[Any, Depends(get_owned_label)]
