"""The JSON API over the caller's tasks: `/api/{user_id}/tasks/`.

Every rule lives in TaskService; this module only maps HTTP onto it: ETags
from the task's version, keyset paging in a Link header, and status codes.
The list and create routes answer with and without the trailing slash: a
redirect between the two would make some clients drop the Authorization header.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from webapp.api.deps import (
    FORBIDDEN,
    NOT_FOUND,
    PRECONDITION_FAILED,
    TOO_LARGE,
    UNAUTHORIZED,
    OwnedApiTask,
    PathOwner,
)
from webapp.api.quick import quick_create
from webapp.api.routing import ApiRoute
from webapp.db import SessionDep
from webapp.models.task import Priority, Task
from webapp.models.user import Account
from webapp.schemas.task import QuickTaskCreate, TaskCreateBody, TaskResponse, TaskUpdate
from webapp.services.due_dates import Clock
from webapp.services.task_service import StaleTaskError, TaskFilter, TaskService
from webapp.services.task_service import decode_cursor as decode_keyset

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
LINK_HEADER = {
    "Link": {
        "description": 'The next page, when there may be one: <url>; rel="next"',
        "schema": {"type": "string"},
    }
}

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


def _bad_cursor(cursor: str) -> RequestValidationError:
    return RequestValidationError(
        [
            {
                "type": "value_error",
                "loc": ("query", "cursor"),
                "msg": "Value error, not a cursor from this API's Link header",
                "input": cursor,
            }
        ]
    )


async def decode_cursor(
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="From the previous page's Link header; opaque"),
    ] = None,
) -> tuple[datetime, int] | None:
    """The (created_at, id) after which the page starts; 422 for anything else."""
    if cursor is None:
        return None
    key = decode_keyset(cursor)
    if key is None:
        raise _bad_cursor(cursor)
    return key


@router.post(
    "/",
    status_code=201,
    response_model=TaskResponse,
    responses={201: {"headers": ETAG_HEADER}, 401: UNAUTHORIZED, 403: FORBIDDEN, 413: TOO_LARGE},
    summary="Create a task",
)
@router.post("", status_code=201, response_model=TaskResponse, include_in_schema=False)
async def create_task(
    owner: PathOwner, task_data: TaskCreateBody, session: SessionDep, response: Response
) -> TaskResponse:
    """The task's fields, or `{"quick": "Buy milk tomorrow 5pm #Home"}` read by quick add
    in your zone and date order (GET /api/{user_id}/quick-add shows what it reads)."""
    clock = _clock(owner)
    if isinstance(task_data, QuickTaskCreate):
        task_data = await quick_create(session, owner.id, task_data, clock)
    task = await TaskService(session).create_task(owner.id, task_data, clock=clock)
    response.headers["ETag"] = etag(task)
    response.headers["Location"] = f"/api/{owner.id}/tasks/{task.id}"
    return TaskResponse.model_validate(task)


@router.get(
    "/",
    response_model=list[TaskResponse],
    responses={200: {"headers": LINK_HEADER}, 401: UNAUTHORIZED, 403: FORBIDDEN},
    summary="List tasks, newest first",
)
@router.get("", response_model=list[TaskResponse], include_in_schema=False)
async def list_tasks(
    owner: PathOwner,
    session: SessionDep,
    request: Request,
    response: Response,
    after: Annotated[tuple[datetime, int] | None, Depends(decode_cursor)],
    completed: bool | None = None,
    priority: Priority | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> list[TaskResponse]:
    """A plain list of at most `limit` tasks; a `Link: rel="next"` header points to the rest."""
    view = TaskFilter(completed=completed, priority=priority)
    page = await TaskService(session).list_tasks(owner.id, view, after=after, limit=limit)
    if page.next_cursor:
        # A path, not an absolute URL: the request's Host header is not ours to echo.
        next_url = request.url.include_query_params(cursor=page.next_cursor)
        query = f"?{next_url.query}" if next_url.query else ""
        response.headers["Link"] = f'<{next_url.path}{query}>; rel="next"'
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
        404: NOT_FOUND,
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
    """A partial update: fields left out keep their value."""
    version = expected_version(task, if_match)
    try:
        updated = await TaskService(session).update_task(
            task.user_id, task.id, task_data, expected_version=version, clock=_clock(owner)
        )
    except StaleTaskError as exc:
        raise precondition_failed(exc.current) from None
    response.headers["ETag"] = etag(updated)
    return TaskResponse.model_validate(updated)


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


def _method_not_allowed(allowed: str) -> Callable[[], Awaitable[None]]:
    async def endpoint() -> None:
        raise HTTPException(status_code=405, headers={"Allow": allowed})

    return endpoint


# Starlette answers 405 from the first route whose path matches, so its Allow
# header would name only GET; these hidden routes name every method the path has.
_COLLECTION = _method_not_allowed("GET, HEAD, POST")
_ITEM = _method_not_allowed("GET, HEAD, PUT, DELETE")
router.add_api_route("/", _COLLECTION, methods=["PUT", "PATCH", "DELETE"], include_in_schema=False)
router.add_api_route("", _COLLECTION, methods=["PUT", "PATCH", "DELETE"], include_in_schema=False)
router.add_api_route("/{task_id:id}", _ITEM, methods=["POST", "PATCH"], include_in_schema=False)
