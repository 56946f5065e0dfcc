"""The JSON API over the caller's projects: `/api/{user_id}/projects/`.

The rules (the Inbox stays, names are unique whatever their case, a project with
tasks is deleted only with a choice for them) live in ProjectService; this module
maps them onto status codes: 404 for a project that is not the caller's, 409 for a
change the stored projects refuse, 412 for one made against a version it no longer has
(If-Match, as on tasks). Like the task routes, the collection answers with and without
the trailing slash.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response

from webapp.api.deps import (
    COMMON,
    NOT_MODIFIED,
    PROJECT_CHANGED,
    PROJECT_NOT_FOUND,
    TOO_LARGE,
    OwnedApiProject,
    PathOwner,
    error_doc,
    project_not_found,
)
from webapp.api.etags import (
    ETAG,
    IfMatch,
    IfNoneMatch,
    expected_version,
    precondition_failed,
    row_etag,
    tag_row,
    tagged,
)
from webapp.api.routing import ApiRoute, answer_405
from webapp.db import SessionDep
from webapp.schemas import api as body
from webapp.schemas.project import ProjectResponse
from webapp.services.project_service import (
    InboxProtected,
    ProjectNameTaken,
    ProjectNotEmpty,
    ProjectNotFound,
    ProjectService,
    StaleProjectError,
)

router = APIRouter(prefix="/api/{user_id:id}/projects", tags=["projects"], route_class=ApiRoute)

NAME_TAKEN = "You already have a project with this name"
INBOX_FIXED = "The Inbox cannot be renamed, archived or deleted"

CREATE_CONFLICT = error_doc(
    "Another of the caller's projects has this name (whatever its case)", NAME_TAKEN, "conflict"
)
UPDATE_CONFLICT = error_doc(
    "The name is another project's, or the project is the Inbox", INBOX_FIXED, "conflict"
)
DELETE_CONFLICT = error_doc(
    "The project is the Inbox, or it has tasks and `tasks` does not say what becomes of them",
    "The project has 3 tasks: send tasks=inbox to move them to the Inbox, "
    "or tasks=delete to delete them with it",
    "conflict",
)


def _conflict(detail: str) -> HTTPException:
    return HTTPException(status_code=409, detail=detail)


def _changed(exc: StaleProjectError) -> HTTPException:
    return precondition_failed(exc.current, "project")


@router.post(
    "/",
    status_code=201,
    response_model=ProjectResponse,
    responses={201: {"headers": ETAG}, **COMMON, 409: CREATE_CONFLICT, 413: TOO_LARGE},
    summary="Create a project",
)
@router.post("", status_code=201, response_model=ProjectResponse, include_in_schema=False)
async def create_project(
    owner: PathOwner, data: body.ProjectCreate, session: SessionDep, response: Response
) -> ProjectResponse:
    """A new project, last in the caller's order."""
    try:
        project = await ProjectService(session).create_project(owner.id, data.name)
    except ProjectNameTaken:
        raise _conflict(NAME_TAKEN) from None
    response.headers["ETag"] = row_etag(project)
    response.headers["Location"] = f"/api/{owner.id}/projects/{project.id}"
    return ProjectResponse.model_validate(project)


READ = {200: {"headers": ETAG}, 304: NOT_MODIFIED, **COMMON}


@router.get(
    "/",
    response_model=list[ProjectResponse],
    responses=READ,
    summary="List projects: the Inbox first, then the caller's order",
)
@router.get("", response_model=list[ProjectResponse], include_in_schema=False)
async def list_projects(
    owner: PathOwner, session: SessionDep, response: Response, if_none_match: IfNoneMatch = None
) -> list[dict]:
    """Every project of the caller's, archived ones too (`archived` says so)."""
    projects = await ProjectService(session).list_projects(owner.id)
    payload = [ProjectResponse.model_validate(p).model_dump(mode="json") for p in projects]
    return tagged(payload, response, if_none_match)


@router.get(
    "/{project_id:id}",
    response_model=ProjectResponse,
    responses={**READ, 404: PROJECT_NOT_FOUND},
    summary="Get a project",
)
async def get_project(
    project: OwnedApiProject, response: Response, if_none_match: IfNoneMatch = None
) -> ProjectResponse:
    tag_row(project, response, if_none_match)
    return ProjectResponse.model_validate(project)


UPDATE_RESPONSES = {
    200: {"headers": ETAG},
    **COMMON,
    404: PROJECT_NOT_FOUND,
    409: UPDATE_CONFLICT,
    412: PROJECT_CHANGED,
    413: TOO_LARGE,
}


@router.put(
    "/{project_id:id}",
    response_model=ProjectResponse,
    responses=UPDATE_RESPONSES,
    summary="Rename, archive or restore a project",
)
@router.patch(
    "/{project_id:id}",
    response_model=ProjectResponse,
    responses=UPDATE_RESPONSES,
    summary="Rename, archive or restore a project (the same as PUT)",
)
async def update_project(
    project: OwnedApiProject,
    data: body.ProjectUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ProjectResponse:
    """A partial update: fields left out (or null) keep their value."""
    version = expected_version(project, if_match, "project")
    try:
        updated = await ProjectService(session).update_project(
            project.user_id,
            project.id,
            name=data.name,
            archived=data.archived,
            expected_version=version,
        )
    except StaleProjectError as exc:
        raise _changed(exc) from None
    except ProjectNotFound:
        raise project_not_found() from None
    except InboxProtected:
        raise _conflict(INBOX_FIXED) from None
    except ProjectNameTaken:
        raise _conflict(NAME_TAKEN) from None
    response.headers["ETag"] = row_etag(updated)
    return ProjectResponse.model_validate(updated)


TasksChoice = Annotated[
    Literal["inbox", "delete"] | None,
    Query(
        description="What becomes of the project's tasks: moved to the Inbox (keeping "
        "their order) or deleted with it. Needed only when it has tasks."
    ),
]


@router.delete(
    "/{project_id:id}",
    status_code=204,
    response_class=Response,
    responses={**COMMON, 404: PROJECT_NOT_FOUND, 409: DELETE_CONFLICT, 412: PROJECT_CHANGED},
    summary="Delete a project",
)
async def delete_project(
    project: OwnedApiProject,
    session: SessionDep,
    tasks: TasksChoice = None,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(project, if_match, "project")
    try:
        await ProjectService(session).delete_project(
            project.user_id, project.id, tasks, expected_version=version
        )
    except StaleProjectError as exc:
        raise _changed(exc) from None
    except ProjectNotFound:
        raise project_not_found() from None
    except InboxProtected:
        raise _conflict(INBOX_FIXED) from None
    except ProjectNotEmpty as exc:
        raise _conflict(
            f"The project has {exc.count} task{'' if exc.count == 1 else 's'}: send "
            "tasks=inbox to move them to the Inbox, or tasks=delete to delete them with it"
        ) from None
    return Response(status_code=204)


# Every method each path has, named in its 405s.
for _path, _methods in (
    ("/", ("GET", "HEAD", "POST")),
    ("", ("GET", "HEAD", "POST")),
    ("/{project_id:id}", ("GET", "HEAD", "PUT", "PATCH", "DELETE")),
):
    answer_405(router, _path, _methods)
