"""The JSON API over the caller's tasks: `/api/{user_id}/tasks/`.

Every rule lives in TaskService; this module only maps HTTP onto it: ETags
from the task's version, keyset paging (webapp.api.paging), the move within the
manual order, and status codes. The list and create routes answer with and without
the trailing slash: a redirect between the two would make some clients drop the
Authorization header.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from webapp.api.deps import (
    COMMON,
    NOT_FOUND,
    NOT_MODIFIED,
    PRECONDITION_FAILED,
    TOO_LARGE,
    OwnedApiTask,
    PathOwner,
    error_doc,
    project_not_found,
)
from webapp.api.etags import (
    ETAG,
    IfMatch,
    IfNoneMatch,
    check_not_modified,
    expected_version,
    list_etag,
    precondition_failed,
    row_etag,
    tag_row,
)
from webapp.api.paging import (
    LINK_HEADER,
    SYNC_SINCE_HEADER,
    PageStart,
    Since,
    next_link,
    page_start,
    parse_since,
    sync_since_header,
)
from webapp.api.quick import quick_create
from webapp.api.routing import ApiRoute, answer_405
from webapp.db import SessionDep
from webapp.models.base import MAX_ID
from webapp.models.task import Priority
from webapp.models.user import Account
from webapp.schemas import api as body
from webapp.schemas.task import LABEL_LENGTH, NO_NUL, TaskResponse, task_list_json
from webapp.services.due_dates import Clock
from webapp.services.task_service import (
    AnchorNotFound,
    ProjectNotFound,
    StaleTaskError,
    TaskFilter,
    TaskService,
)

router = APIRouter(prefix="/api/{user_id:id}/tasks", tags=["tasks"], route_class=ApiRoute)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
SEARCH_LENGTH = 200

# A body naming a project (or a task to move next to) that is not the caller's: the
# same 404 as such an id in a path.
TASK_OR_PROJECT_NOT_FOUND = error_doc(
    "No such task among the caller's, or project_id is not one of the caller's projects",
    "Project not found",
    "not_found",
)
PROJECT_IN_BODY_NOT_FOUND = error_doc(
    "project_id is not one of the caller's projects", "Project not found", "not_found"
)
# The moved task exists (else the path's 404); the one it was to go next to does not,
# any more: the list changed under the caller, as a stale If-Match would say.
ANCHOR_GONE = error_doc(
    "The task named by after/before is not among the caller's (any more)",
    "The task to place it next to was not found",
    "conflict",
)
ONE_TASK = {200: {"headers": ETAG}, **COMMON}


def _clock(owner: Account) -> Clock:
    return Clock(owner.timezone, owner.date_order)


@router.post(
    "/",
    status_code=201,
    response_model=TaskResponse,
    responses={
        201: {"headers": ETAG},
        **COMMON,
        404: PROJECT_IN_BODY_NOT_FOUND,
        413: TOO_LARGE,
    },
    summary="Create a task",
)
@router.post("", status_code=201, response_model=TaskResponse, include_in_schema=False)
async def create_task(
    owner: PathOwner, task_data: body.TaskCreateBody, session: SessionDep, response: Response
) -> TaskResponse:
    """On top of the manual order, in `project_id` (else the Inbox), with `labels` (names,
    created on first use); or `{"quick": "Buy milk tomorrow 5pm #Home"}` read by quick add
    in your zone and date order (GET /api/{user_id}/quick-add shows what it reads)."""
    clock = _clock(owner)
    try:
        if isinstance(task_data, body.QuickTaskCreate):
            task_data = await quick_create(session, owner.id, task_data, clock)
        task = await TaskService(session).create_task(owner.id, task_data, clock=clock)
    except ProjectNotFound:
        raise project_not_found() from None
    response.headers["ETag"] = row_etag(task)
    response.headers["Location"] = f"/api/{owner.id}/tasks/{task.id}"
    return TaskResponse.model_validate(task)


@router.get(
    "/",
    response_model=list[TaskResponse],
    responses={
        200: {"headers": LINK_HEADER | ETAG | SYNC_SINCE_HEADER},
        304: NOT_MODIFIED,
        **COMMON,
    },
    summary="List tasks, newest first unless sort says otherwise",
)
@router.get("", response_model=list[TaskResponse], include_in_schema=False)
async def list_tasks(
    owner: PathOwner,
    session: SessionDep,
    request: Request,
    start: Annotated[PageStart, Depends(page_start)],
    completed: bool | None = None,
    priority: Priority | None = None,
    project_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="One project's")] = None,
    label: Annotated[
        str | None,
        Query(max_length=LABEL_LENGTH, pattern=NO_NUL, description="Having this label (any case)"),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=SEARCH_LENGTH,
            pattern=NO_NUL,
            description="Title or description containing this text, any case (the page's search)",
        ),
    ] = None,
    updated_since: Since = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """A plain list of at most `limit` tasks; a `Link: rel="next"` header points to the rest.
    Another user's project or an unknown label lists nothing."""
    tag = list_etag(request, owner.tasks_version)
    check_not_modified(if_none_match, tag)  # nothing changed: a sync keeps its since
    view = TaskFilter(
        completed=completed,
        priority=priority,
        project_id=project_id,
        label=label,
        search=q,
        updated_since=parse_since(updated_since),
    )
    page = await TaskService(session).list_tasks(
        owner.id, view, sort=start.sort, after=start.after, limit=limit
    )
    headers = {"ETag": tag} | sync_since_header(owner.sync_since)
    if page.next_cursor:
        headers["Link"] = next_link(request, page.next_cursor)
    # The JSON response_model documents, written straight from the rows (a Response is
    # sent as it is, not validated against response_model again).
    body = task_list_json(page.tasks)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/{task_id:id}",
    response_model=TaskResponse,
    responses={**ONE_TASK, 304: NOT_MODIFIED, 404: NOT_FOUND},
    summary="Get a task",
)
async def get_task(
    task: OwnedApiTask, response: Response, if_none_match: IfNoneMatch = None
) -> TaskResponse:
    tag_row(task, response, if_none_match)
    return TaskResponse.model_validate(task)


UPDATE_RESPONSES = {
    **ONE_TASK,
    404: TASK_OR_PROJECT_NOT_FOUND,
    412: PRECONDITION_FAILED,
    413: TOO_LARGE,
}


@router.put(
    "/{task_id:id}",
    response_model=TaskResponse,
    responses=UPDATE_RESPONSES,
    summary="Change some fields of a task",
)
@router.patch(
    "/{task_id:id}",
    response_model=TaskResponse,
    responses=UPDATE_RESPONSES,
    summary="Change some fields of a task (the same as PUT)",
)
async def update_task(
    task: OwnedApiTask,
    owner: PathOwner,
    task_data: body.TaskUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskResponse:
    """A partial update: fields left out keep their value (PUT and PATCH alike). A task
    given another `project_id` goes on top of the order there; `labels` replaces the
    task's labels."""
    version = expected_version(task, if_match)
    try:
        updated = await TaskService(session).update_task(
            task.user_id, task.id, task_data, expected_version=version, clock=_clock(owner)
        )
    except StaleTaskError as exc:
        raise precondition_failed(exc.current) from None
    except ProjectNotFound:
        raise project_not_found() from None
    response.headers["ETag"] = row_etag(updated)
    return TaskResponse.model_validate(updated)


@router.post(
    "/{task_id:id}/move",
    response_model=TaskResponse,
    responses={**ONE_TASK, 404: NOT_FOUND, 409: ANCHOR_GONE, 413: TOO_LARGE},
    summary="Place a task in the manual order",
)
async def move_task(
    task: OwnedApiTask, move: body.TaskMove, session: SessionDep, response: Response
) -> TaskResponse:
    """Right `after` or right `before` another of the caller's tasks (exactly one of the
    two) in the manual order, which `sort=manual` lists. Only this task is written: its
    `position` and `version` change, its project does not (PUT `project_id` for that)."""
    try:
        moved = await TaskService(session).move_task(
            task.user_id, task.id, after=move.after, before=move.before
        )
    except AnchorNotFound:
        raise HTTPException(409, "The task to place it next to was not found") from None
    response.headers["ETag"] = row_etag(moved)
    return TaskResponse.model_validate(moved)


@router.delete(
    "/{task_id:id}",
    status_code=204,
    response_class=Response,
    responses={**COMMON, 404: NOT_FOUND, 412: PRECONDITION_FAILED},
    summary="Delete a task",
)
async def delete_task(
    task: OwnedApiTask, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Gone, with a tombstone in GET /tasks/deleted for sync scripts."""
    version = expected_version(task, if_match)
    try:
        await TaskService(session).delete_task(task.user_id, task.id, expected_version=version)
    except StaleTaskError as exc:
        raise precondition_failed(exc.current) from None
    return Response(status_code=204)


# Every method each path has, named in its 405s.
for _path, _methods in (
    ("/", ("GET", "HEAD", "POST")),
    ("", ("GET", "HEAD", "POST")),
    ("/{task_id:id}", ("GET", "HEAD", "PUT", "PATCH", "DELETE")),
    ("/{task_id:id}/move", ("POST",)),
):
    answer_405(router, _path, _methods)
