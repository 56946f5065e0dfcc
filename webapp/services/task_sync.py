"""What a sync script needs beyond the list: the deletions.

Every delete of tasks (one, a view's completed ones, a project's) writes a tombstone per
task in the same statement as the delete (`record_tombstones`, a data-modifying WITH),
so no delete path can forget one and none costs a round trip. Undo removes the
tombstones of what it brings back. Tombstones older than TOMBSTONE_RETENTION are
purged with the login housekeeping; a `since` older than that is refused
(DeletionsExpired), as the list could no longer be complete.

"Has anything changed" is the list's ETag, from the user's tasks_version (see
webapp/api/etags.py).

Where a script may ask from next time (`SYNC_SINCE`, read with the bearer token): a
change is stamped with the start of its transaction (migration 0013), so one not yet
committed is stamped at or after the start of some transaction open now. The oldest
such start, read in a statement before the rows it goes with, is therefore a moment
from which the next read misses nothing, however long a writer takes to commit; asking
from the newest updated_at seen could miss an import that commits after a later,
quicker change.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, column, delete, func, select, table, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query
from webapp.models.base import MAX_ID, utcnow
from webapp.models.tombstone import TOMBSTONE_RETENTION, TaskTombstone

TOMBSTONES = TaskTombstone.__table__
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class DeletionsExpired(Exception):
    """`since` is older than the tombstones are kept: the deletions list would be partial."""


def record_tombstones(deleted: Any) -> Any:
    """A WITH part writing a tombstone for each row of `deleted` (a DELETE … RETURNING
    WITH holding user_id, id and uid); add it to the delete's statement with add_cte."""
    rows = select(deleted.c.user_id, deleted.c.id, deleted.c.uid, func.now())
    insert = pg_insert(TOMBSTONES).from_select(["user_id", "task_id", "uid", "deleted_at"], rows)
    # A task deleted, brought back by Undo and deleted again: the newest deletion counts.
    insert = insert.on_conflict_do_update(
        index_elements=["user_id", "task_id"],
        set_={"uid": insert.excluded.uid, "deleted_at": insert.excluded.deleted_at},
    )
    return insert.cte("tombstoned")


async def forget_tombstones(session: AsyncSession, user_id: int, task_ids: list[int]) -> None:
    """Tasks brought back (Undo) are no longer deleted."""
    if task_ids:
        await session.exec(
            delete(TOMBSTONES).where(
                TOMBSTONES.c.user_id == user_id, TOMBSTONES.c.task_id.in_(task_ids)
            )
        )


async def purge_expired(session: AsyncSession) -> int:
    result = await session.exec(
        delete(TOMBSTONES).where(TOMBSTONES.c.deleted_at < utcnow() - TOMBSTONE_RETENTION)
    )
    await session.commit()
    return result.rowcount


# The connections of this database's clients, this one's included (it is in a
# transaction, or running this statement alone, so the oldest start is never after
# now()). Another role's sessions show no xact_start unless the app's role may read all
# statistics: writers of tasks are the app's own connections.
_ACTIVITY = table(
    "pg_stat_activity", column("xact_start"), column("datname"), column("backend_type")
)
_OLDEST_OPEN = (
    select(func.min(_ACTIVITY.c.xact_start))
    .where(
        _ACTIVITY.c.datname == func.current_database(),
        _ACTIVITY.c.backend_type == "client backend",
    )
    .scalar_subquery()
)
# Where the next read may start and miss nothing: a column for a statement that runs
# before the rows (the bearer token's lookup: TokenService.authenticate).
SYNC_SINCE = func.least(func.now(), _OLDEST_OPEN)


@dataclass(frozen=True)
class Deletions:
    tombstones: list[Any]  # rows of (task_id, uid, deleted_at), oldest first
    next_cursor: str  # "" on the last page


def encode_cursor(row: Any) -> str:
    return f"{(row.deleted_at - _EPOCH) // _MICROSECOND}-{row.task_id}"


def decode_cursor(value: str) -> tuple[datetime, int] | None:
    micros, _, task_id = value.partition("-")
    if not (micros.isdigit() and task_id.isdigit()) or len(micros) > 17 or len(task_id) > 10:
        return None
    if not 1 <= int(task_id) <= MAX_ID:
        return None
    return _EPOCH + int(micros) * _MICROSECOND, int(task_id)


_COLUMNS = (TOMBSTONES.c.task_id, TOMBSTONES.c.uid, TOMBSTONES.c.deleted_at)
_KEY = tuple_(TOMBSTONES.c.deleted_at, TOMBSTONES.c.task_id)


def _deletions_query(keyset: bool) -> Query:
    query = select(*_COLUMNS).where(
        TOMBSTONES.c.user_id == bindparam("user_id"),
        TOMBSTONES.c.deleted_at >= bindparam("since", type_=TOMBSTONES.c.deleted_at.type),
    )
    if keyset:
        after = tuple_(
            bindparam("after_0", type_=TOMBSTONES.c.deleted_at.type),
            bindparam("after_1", type_=TOMBSTONES.c.task_id.type),
        )
        query = query.where(_KEY > after)
    order = query.order_by(TOMBSTONES.c.deleted_at, TOMBSTONES.c.task_id)
    return Query(order.limit(bindparam("limit")))


_DELETIONS = {keyset: _deletions_query(keyset) for keyset in (False, True)}


async def deletions(
    session: AsyncSession,
    user_id: int,
    since: datetime,
    *,
    after: tuple[datetime, int] | None = None,
    limit: int = 200,
) -> Deletions:
    """The user's tasks deleted at or after `since` (inclusive), oldest deletion first."""
    if since < utcnow() - TOMBSTONE_RETENTION:
        raise DeletionsExpired
    values: dict[str, Any] = {"user_id": user_id, "since": since, "limit": limit + 1}
    if after is not None:
        values |= {"after_0": after[0], "after_1": after[1]}
    rows = await _DELETIONS[after is not None].fetch(session, **values)
    if len(rows) > limit:
        rows = rows[:limit]
        return Deletions(rows, encode_cursor(rows[-1]))
    return Deletions(rows, "")
