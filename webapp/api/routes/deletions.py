"""GET /api/{user_id}/tasks/deleted: which tasks went, for sync scripts.

The list route says what changed (`updated_since`, `sort=updated`); this says what is
gone, from the tombstones every delete leaves (webapp.services.task_sync). Both are
inclusive of the time given, so a script that passes back the newest time it stored
misses nothing and sees at most the last few again. Tombstones are kept for 30 days:
a `since` older than that is a 410, and the script must fetch the whole list again.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict

from webapp.api.deps import COMMON, PathOwner, error_doc
from webapp.api.paging import (
    LINK_HEADER,
    SINCE_PATTERN,
    SYNC_SINCE_HEADER,
    next_link,
    parse_since,
    sync_since_header,
)
from webapp.api.routing import ApiRoute, answer_405
from webapp.db import SessionDep
from webapp.services import task_sync

router = APIRouter(prefix="/api/{user_id:id}/tasks", tags=["tasks"], route_class=ApiRoute)

MAX_LIMIT = 1000
CURSOR_PATTERN = r"^[0-9]{1,17}-[0-9]{1,10}$"
EXPIRED = error_doc(
    "`since` is older than deletions are kept (30 days): fetch the whole list again",
    "Deletions are kept for 30 days; list all tasks again",
    "gone",
)


class Deletion(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "uid": "0b0f7c5e-3f4e-4c1a-9d59-1c7a2b7e8f10",
                    "deleted_at": "2026-01-02T09:00:00Z",
                }
            ]
        },
    )

    id: int
    uid: UUID
    deleted_at: AwareDatetime


@router.get(
    "/deleted",
    response_model=list[Deletion],
    responses={200: {"headers": LINK_HEADER | SYNC_SINCE_HEADER}, **COMMON, 410: EXPIRED},
    summary="List deleted tasks, oldest deletion first",
)
async def list_deleted(
    owner: PathOwner,
    session: SessionDep,
    request: Request,
    response: Response,
    since: Annotated[
        str,
        Query(
            pattern=SINCE_PATTERN,
            json_schema_extra={"format": "date-time"},
            description="Deleted at or after this time, inclusive (RFC 3339 with an offset): "
            "pass the Sync-Since header of your previous read",
        ),
    ],
    cursor: Annotated[
        str | None, Query(pattern=CURSOR_PATTERN, description="From the Link header")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 200,
) -> list[Deletion]:
    """The caller's tasks deleted since `since`: each one's `id`, `uid` and `deleted_at`.
    A task deleted, brought back by Undo and deleted again is listed once, at its last
    deletion; one brought back is no longer listed (it is in the list again)."""
    start = parse_since(since)
    assert start is not None
    after = task_sync.decode_cursor(cursor) if cursor else None
    response.headers.update(sync_since_header(owner.sync_since))
    try:
        found = await task_sync.deletions(session, owner.id, start, after=after, limit=limit)
    except task_sync.DeletionsExpired:
        raise HTTPException(410, "Deletions are kept for 30 days; list all tasks again") from None
    if found.next_cursor:
        response.headers["Link"] = next_link(request, found.next_cursor)
    return [
        Deletion(id=row.task_id, uid=row.uid, deleted_at=row.deleted_at) for row in found.tombstones
    ]


answer_405(router, "/deleted", ("GET", "HEAD"))
