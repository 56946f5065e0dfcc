"""Dependencies of the JSON API: the bearer-token caller and the caller's task.

Only `Authorization: Bearer` authenticates here. A session cookie never does,
so a page on another site cannot make a logged-in browser call the API (the
API has no CSRF tokens and needs none).
"""

from typing import Annotated

from fastapi import Depends, HTTPException, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

import webapp.routing  # noqa: F401  (registers the {…:id} path convertor)
from webapp.db import SessionDep
from webapp.models.task import Task
from webapp.models.user import Account
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


def _error(description: str, example: str, code: str) -> dict:
    return {
        "model": ErrorResponse,
        "description": description,
        "content": {"application/json": {"example": {"detail": example, "code": code}}},
    }


UNAUTHORIZED = _error(
    "Missing, unknown, revoked or expired bearer token", "Not authenticated", "not_authenticated"
)
FORBIDDEN = _error("user_id is not the caller's", "Not your user_id", "forbidden")
NOT_FOUND = _error("No such task among the caller's", "Task not found", "not_found")
PRECONDITION_FAILED = _error(
    "If-Match does not match the task's current ETag", "Task changed", "precondition_failed"
)
TOO_LARGE = _error("Request body over 64 KiB", "Request body too large", "body_too_large")


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
