"""The JSON API over the caller's tasks: `/api/{user_id}/tasks/`.

Every rule lives in TaskService; this module only maps HTTP onto it: ETags
from the task's version, keyset paging (webapp.api.paging), the move within the
manual order, and status codes. The list and create routes answer with and without
the trailing slash: a redirect between the two would make some clients drop the
Authorization header.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response

from webapp.api.deps import (
    FORBIDDEN,
    NOT_FOUND,
    PRECONDITION_FAILED,
    TOO_LARGE,
    UNAUTHORIZED,
    OwnedApiTask,
    PathOwner,
    error_doc,
    project_not_found,
)
from webapp.api.paging import LINK_HEADER, PageStart, next_link, page_start
from webapp.api.quick import quick_create
from webapp.api.routing import ApiRoute, answer_405
from webapp.db import SessionDep
from webapp.models.base import MAX_ID
from webapp.models.task import Priority, Task
from webapp.models.user import Account
from webapp.schemas.project import TaskMove
from webapp.schemas.task import (
    LABEL_LENGTH,
    NO_NUL,
    QuickTaskCreate,
    TaskCreateBody,
    TaskResponse,
    TaskUpdate,
)
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

ETAG_HEADER = {
    "ETag": {
        "description": 'The task\'s version, for If-Match: "<id>-<version>"',
        "schema": {"type": "string"},
        "required": True,
    }
}
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
ANCHOR_NOT_FOUND = error_doc(
    "No such task among the caller's: the one moved, or the one named by after/before",
    "The task to place it next to was not found",
    "not_found",
)
IfMatch = Annotated[
    str | None,
    Header(
        description="Refuse the change (412) unless the task still has this ETag",
        examples=['"1-1"'],
    ),
]


def _clock(owner: Account) -> Clock:
    return Clock(owner.timezone, owner.date_order)


def etag(task: Task) -> str:
    return f'"{task.id}-{task.version}"'


def expected_version(task: Task, if_match: str | None) -> int | None:
    """The version an If-Match pins the change to; 412 when it names another one.

    If-Match uses the strong comparison (RFC 9110 13.1.1): a weak tag never matches.
    """
    if if_match is None:
        return None
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" in tags or etag(task) in tags:
        return task.version
    raise precondition_failed(task)


def precondition_failed(current: Task) -> HTTPException:
    return HTTPException(
        status_code=412,
        detail="The task has changed since you read it; GET it again",
        headers={"ETag": etag(current)},
    )


@router.post(
    "/",
    status_code=201,
    response_model=TaskResponse,
    responses={
        201: {"headers": ETAG_HEADER},
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: PROJECT_IN_BODY_NOT_FOUND,
        413: TOO_LARGE,
    },
    summary="Create a task",
)
@router.post("", status_code=201, response_model=TaskResponse, include_in_schema=False)
async def create_task(
    owner: PathOwner, task_data: TaskCreateBody, session: SessionDep, response: Response
) -> TaskResponse:
    """On top of the manual order, in `project_id` (else the Inbox), with `labels` (names,
    created on first use); or `{"quick": "Buy milk tomorrow 5pm #Home"}` read by quick add
    in your zone and date order (GET /api/{user_id}/quick-add shows what it reads)."""
    clock = _clock(owner)
    try:
        if isinstance(task_data, QuickTaskCreate):
            task_data = await quick_create(session, owner.id, task_data, clock)
        task = await TaskService(session).create_task(owner.id, task_data, clock=clock)
    except ProjectNotFound:
        raise project_not_found() from None
    response.headers["ETag"] = etag(task)
    response.headers["Location"] = f"/api/{owner.id}/tasks/{task.id}"
    return TaskResponse.model_validate(task)


@router.get(
    "/",
    response_model=list[TaskResponse],
    responses={200: {"headers": LINK_HEADER}, 401: UNAUTHORIZED, 403: FORBIDDEN},
    summary="List tasks, newest first unless sort says otherwise",
)
@router.get("", response_model=list[TaskResponse], include_in_schema=False)
async def list_tasks(
    owner: PathOwner,
    session: SessionDep,
    request: Request,
    response: Response,
    start: Annotated[PageStart, Depends(page_start)],
    completed: bool | None = None,
    priority: Priority | None = None,
    project_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="One project's")] = None,
    label: Annotated[
        str | None,
        Query(max_length=LABEL_LENGTH, pattern=NO_NUL, description="Having this label (any case)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> list[TaskResponse]:
    """A plain list of at most `limit` tasks; a `Link: rel="next"` header points to the rest.
    Another user's project or an unknown label lists nothing."""
    view = TaskFilter(completed=completed, priority=priority, project_id=project_id, label=label)
    page = await TaskService(session).list_tasks(
        owner.id, view, sort=start.sort, after=start.after, limit=limit
    )
    if page.next_cursor:
        response.headers["Link"] = next_link(request, page.next_cursor)
    # Plain dicts: FastAPI validates and serialises them against response_model in one
    # pass of pydantic's core, instead of a model built here per row and checked again there.
    return [dict(task) for task in page.tasks]  # type: ignore[misc]


@router.get(
    "/{task_id:id}",
    response_model=TaskResponse,
    responses={200: {"headers": ETAG_HEADER}, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    summary="Get a task",
)
async def get_task(task: OwnedApiTask, response: Response) -> TaskResponse:
    response.headers["ETag"] = etag(task)
    return TaskResponse.model_validate(task)


@router.put(
    "/{task_id:id}",
    response_model=TaskResponse,
    responses={
        200: {"headers": ETAG_HEADER},
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: TASK_OR_PROJECT_NOT_FOUND,
        412: PRECONDITION_FAILED,
        413: TOO_LARGE,
    },
    summary="Change some fields of a task",
)
async def update_task(
    task: OwnedApiTask,
    owner: PathOwner,
    task_data: TaskUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskResponse:
    """A partial update: fields left out keep their value. A task given another
    `project_id` goes on top of the order there; `labels` replaces the task's labels."""
    version = expected_version(task, if_match)
    try:
        updated = await TaskService(session).update_task(
            task.user_id, task.id, task_data, expected_version=version, clock=_clock(owner)
        )
    except StaleTaskError as exc:
        raise precondition_failed(exc.current) from None
    except ProjectNotFound:
        raise project_not_found() from None
    response.headers["ETag"] = etag(updated)
    return TaskResponse.model_validate(updated)


@router.post(
    "/{task_id:id}/move",
    response_model=TaskResponse,
    responses={
        200: {"headers": ETAG_HEADER},
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: ANCHOR_NOT_FOUND,
        413: TOO_LARGE,
    },
    summary="Place a task in the manual order",
)
async def move_task(
    task: OwnedApiTask, move: TaskMove, session: SessionDep, response: Response
) -> TaskResponse:
    """Right `after` or right `before` another of the caller's tasks (exactly one of the
    two) in the manual order, which `sort=manual` lists. Only this task is written: its
    `position` and `version` change, its project does not (PUT `project_id` for that)."""
    try:
        moved = await TaskService(session).move_task(
            task.user_id, task.id, after=move.after, before=move.before
        )
    except AnchorNotFound:
        raise HTTPException(404, "The task to place it next to was not found") from None
    response.headers["ETag"] = etag(moved)
    return TaskResponse.model_validate(moved)


@router.delete(
    "/{task_id:id}",
    status_code=204,
    response_class=Response,
    responses={401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 412: PRECONDITION_FAILED},
    summary="Delete a task",
)
async def delete_task(
    task: OwnedApiTask, session: SessionDep, if_match: IfMatch = None
) -> Response:
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
    ("/{task_id:id}", ("GET", "HEAD", "PUT", "DELETE")),
    ("/{task_id:id}/move", ("POST",)),
):
    answer_405(router, _path, _methods)
