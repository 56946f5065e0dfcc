"""Business rules for tasks. Every query is scoped to one user: no method reads another's task.

A task that does not exist, is someone else's, or has an id no row can have is
the same TaskNotFound, which each surface turns into its own 404.

Tasks come back as rows of their columns (`TaskRow`, read like the model: task.title),
not as ORM objects: the list is the hottest read of the app. Every change is one SQL
statement, so it is atomic without a transaction round trip: a version check is a
condition of the UPDATE itself, and a delete writes its undo entry in the same
statement (a data-modifying WITH).
"""

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Row,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query, atomic
from webapp.models.base import utcnow, valid_id
from webapp.models.task import Task
from webapp.models.undo import UndoEntry
from webapp.schemas.task import TaskCreate, TaskUpdate
from webapp.services import task_undo
from webapp.services.task_query import Page, TaskFilter, decode_cursor, encode_cursor

__all__ = [
    "Changed",
    "Page",
    "StaleTaskError",
    "TaskFilter",
    "TaskNotFound",
    "TaskRow",
    "TaskService",
    "decode_cursor",
    "encode_cursor",
]

TASKS = Task.__table__
UNDO = UndoEntry.__table__
# Every stored column but those PostgreSQL computes (search_text): what a task row holds.
COLUMNS = tuple(column for column in TASKS.columns if column.computed is None)
TaskRow = Row[Any]
Shape = tuple[bool, bool, bool]


# The hot statements, compiled once (per filter shape) and run on the driver: see
# webapp.db.Query. Each is the same SQLAlchemy Core a one-off query would build.


def _page(shape: Shape, keyset: bool) -> Any:
    query = select(*COLUMNS).where(
        TASKS.c.user_id == bindparam("user_id"), *TaskFilter.bound_conditions(shape)
    )
    if keyset:
        after = tuple_(
            bindparam("after_at", type_=TASKS.c.created_at.type),
            bindparam("after_id", type_=TASKS.c.id.type),
        )
        query = query.where(tuple_(TASKS.c.created_at, TASKS.c.id) < after)
    return query.order_by(TASKS.c.created_at.desc(), TASKS.c.id.desc()).limit(bindparam("limit"))


def _counts(shape: Shape) -> Any:
    scope = (False, *shape[1:])  # a view's counts are over its tasks whatever their status
    return select(
        func.count().filter(TASKS.c.completed.is_(False)).label("active_count"),
        func.count().filter(TASKS.c.completed.is_(True)).label("completed_count"),
    ).where(TASKS.c.user_id == bindparam("user_id"), *TaskFilter.bound_conditions(scope))


@cache
def _page_query(shape: Shape, keyset: bool) -> Query:
    return Query(_page(shape, keyset))


@cache
def _counts_query(shape: Shape) -> Query:
    return Query(_counts(shape))


@cache
def _page_with_counts_query(shape: Shape, keyset: bool) -> Query:
    """The counts and a page in one round trip, joined so the counts come back even when
    the page is empty; each part is planned on its own (the page stops after limit rows)."""
    counts, page = _counts(shape).cte("counts"), _page(shape, keyset).cte("page")
    return Query(
        select(counts.c.active_count, counts.c.completed_count, *page.c)
        .select_from(counts.outerjoin(page, true()))
        .order_by(page.c.created_at.desc(), page.c.id.desc())
    )


_GET = Query(
    select(*COLUMNS).where(TASKS.c.id == bindparam("id"), TASKS.c.user_id == bindparam("user_id"))
)
_CREATE = Query(
    insert(TASKS)
    .values(
        user_id=bindparam("user_id"),
        title=bindparam("title"),
        description=bindparam("description"),
        priority=bindparam("priority"),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(*COLUMNS)
)


def _set_completed(target: Any) -> Query:
    unchanged = TASKS.c.completed == target
    return Query(
        update(TASKS)
        .where(TASKS.c.id == bindparam("id"), TASKS.c.user_id == bindparam("user_id"))
        .values(
            completed=target,
            version=case((unchanged, TASKS.c.version), else_=TASKS.c.version + 1),
            updated_at=case((unchanged, TASKS.c.updated_at), else_=bindparam("now")),
        )
        .returning(*COLUMNS)
    )


_SET_COMPLETED = _set_completed(bindparam("completed"))
_FLIP_COMPLETED = _set_completed(TASKS.c.completed.is_(False))


class TaskNotFound(Exception):
    """No such task among the user's (deleted, never existed, or someone else's)."""


class StaleTaskError(Exception):
    """The task changed since the version the caller last saw."""

    def __init__(self, current: TaskRow) -> None:
        super().__init__(f"task {current.id} is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class Changed:
    """What a bulk change or delete did, and the undo entry that can reverse it."""

    count: int
    undo_id: int | None
    tasks: tuple[TaskRow, ...] = ()
    kind: str = ""  # for an undo: what it reversed, task_undo.DELETE or task_undo.COMPLETE


def _mine(user_id: int, task_id: int) -> tuple:
    return (TASKS.c.id == task_id, TASKS.c.user_id == user_id)


class TaskService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, statement: Any) -> TaskRow | None:
        return (await self.session.exec(statement)).first()

    async def create_task(self, user_id: int, task_data: TaskCreate) -> TaskRow:
        values = task_data.model_dump(mode="json")
        task = await _CREATE.fetchrow(self.session, user_id=user_id, now=utcnow(), **values)
        assert task is not None
        return task

    async def list_tasks(
        self,
        user_id: int,
        view: TaskFilter = TaskFilter(),  # noqa: B008 (frozen, so a shared default is safe)
        *,
        after: tuple[datetime, int] | None = None,
        limit: int = 50,
    ) -> Page:
        """One page of the user's tasks, newest first, and the cursor of the next.

        `after` is the (created_at, id) of the last task of the previous page: a
        keyset, so tasks added meanwhile never shift a page. One extra row tells
        whether a next page exists, without a second query.
        """
        tasks = await _page_query(view.shape, after is not None).fetch(
            self.session, **self._params(user_id, view, after, limit)
        )
        if len(tasks) > limit:
            tasks = tasks[:limit]
            return Page(tasks, encode_cursor(tasks[-1]))
        return Page(tasks, "")

    async def list_with_counts(
        self,
        user_id: int,
        view: TaskFilter,
        *,
        after: tuple[datetime, int] | None = None,
        limit: int = 50,
    ) -> tuple[Page, tuple[int, int]]:
        """A page of the view and its (active, completed) counts, in one round trip.

        Two independent parts of one statement: the counts over the view's scope, and
        the page (an index scan that stops after `limit` + 1 rows), joined so that
        the counts come back even when the page is empty.
        """
        rows = await _page_with_counts_query(view.shape, after is not None).fetch(
            self.session, **self._params(user_id, view, after, limit)
        )
        totals = (rows[0].active_count, rows[0].completed_count)
        tasks = [row for row in rows if row.id is not None]
        if len(tasks) > limit:
            tasks = tasks[:limit]
            return Page(tasks, encode_cursor(tasks[-1])), totals
        return Page(tasks, ""), totals

    @staticmethod
    def _params(
        user_id: int, view: TaskFilter, after: tuple[datetime, int] | None, limit: int
    ) -> dict[str, Any]:
        """The values of a page query: one more row than asked for tells whether a next
        page exists, without a second query."""
        after_at, after_id = after or (None, None)
        return {
            "user_id": user_id,
            "limit": limit + 1,
            "after_at": after_at,
            "after_id": after_id,
        } | view.values()

    async def get_task(self, user_id: int, task_id: int) -> TaskRow:
        if not valid_id(task_id):
            raise TaskNotFound
        task = await _GET.fetchrow(self.session, id=task_id, user_id=user_id)
        if task is None:
            raise TaskNotFound
        return task

    async def update_task(
        self,
        user_id: int,
        task_id: int,
        task_data: TaskUpdate,
        *,
        expected_version: int | None = None,
    ) -> TaskRow:
        """Apply the fields that were sent. With `expected_version`, a task changed
        meanwhile raises StaleTaskError and is left as it is.

        The version is a condition of the UPDATE: of two changes made against the same
        version, the second waits for the first's row lock, then matches nothing.
        """
        if not valid_id(task_id):
            raise TaskNotFound
        conditions = list(_mine(user_id, task_id))
        if expected_version is not None:
            conditions.append(TASKS.c.version == expected_version)
        changes = task_data.model_dump(exclude_unset=True)
        task = await self._one(
            update(TASKS)
            .where(*conditions)
            .values(**changes, updated_at=utcnow(), version=TASKS.c.version + 1)
            .returning(*COLUMNS)
        )
        await self.session.commit()
        if task is None:
            raise StaleTaskError(await self.get_task(user_id, task_id))
        return task

    async def set_completed(self, user_id: int, task_id: int, completed: bool | None) -> TaskRow:
        """Set the task's status to `completed` (flip it when None), in one UPDATE.

        Setting the status it already has changes nothing, not even the version: a
        stale tab ticking a task done elsewhere leaves it done.
        """
        if not valid_id(task_id):
            raise TaskNotFound
        query = _FLIP_COMPLETED if completed is None else _SET_COMPLETED
        values = {} if completed is None else {"completed": completed}
        task = await query.fetchrow(
            self.session, id=task_id, user_id=user_id, now=utcnow(), **values
        )
        if task is None:
            raise TaskNotFound
        return task

    async def _delete_with_undo(self, user_id: int, conditions: list) -> Changed:
        """Delete the matching tasks and keep them in one undo entry, in one statement."""
        deleted = delete(TASKS).where(*conditions).returning(*COLUMNS).cte("deleted")
        snapshot = func.jsonb_agg(func.to_jsonb(deleted.table_valued()))
        entry = (
            insert(UNDO)
            .from_select(
                ["user_id", "kind", "payload", "created_at"],
                select(
                    literal(user_id), literal(task_undo.DELETE), snapshot, literal(utcnow())
                ).having(func.count() > 0),
            )
            .returning(UNDO.c.id, UNDO.c.payload)
        )
        row = await self._one(entry.add_cte(deleted))
        await self.session.commit()
        if row is None:
            return Changed(0, None)
        tasks = tuple(task_undo.row_from_snapshot(item) for item in row.payload)
        return Changed(len(tasks), row.id, tasks)

    async def delete_task(
        self, user_id: int, task_id: int, *, expected_version: int | None = None
    ) -> Changed:
        """Delete the task, keeping it in the undo log."""
        if not valid_id(task_id):
            raise TaskNotFound
        conditions = list(_mine(user_id, task_id))
        if expected_version is not None:
            conditions.append(TASKS.c.version == expected_version)
        changed = await self._delete_with_undo(user_id, conditions)
        if not changed.count:
            raise StaleTaskError(await self.get_task(user_id, task_id))
        return changed

    async def complete_matching(self, user_id: int, view: TaskFilter) -> Changed:
        """Mark every active task of the view complete, keeping what changed for an undo."""
        completed = (
            update(TASKS)
            .where(TASKS.c.user_id == user_id, *replace(view, completed=False).conditions())
            .values(completed=True, updated_at=utcnow(), version=TASKS.c.version + 1)
            .returning(TASKS.c.id, TASKS.c.version)
            .cte("completed")
        )
        pairs = func.jsonb_agg(func.jsonb_build_array(completed.c.id, completed.c.version))
        entry = (
            insert(UNDO)
            .from_select(
                ["user_id", "kind", "payload", "created_at"],
                select(
                    literal(user_id), literal(task_undo.COMPLETE), pairs, literal(utcnow())
                ).having(func.count() > 0),
            )
            .returning(UNDO.c.id, func.jsonb_array_length(UNDO.c.payload))
        )
        row = await self._one(entry.add_cte(completed))
        await self.session.commit()
        return Changed(row[1], row[0]) if row else Changed(0, None)

    async def delete_completed_matching(self, user_id: int, view: TaskFilter) -> Changed:
        """Delete every completed task of the view, keeping them in the undo log."""
        conditions = [TASKS.c.user_id == user_id, *replace(view, completed=True).conditions()]
        return await self._delete_with_undo(user_id, conditions)

    async def undo(self, user_id: int, undo_id: int) -> Changed | None:
        """Reverse a delete or bulk change; None when it can no longer be undone.

        Deleted tasks come back with their own id (links work again) and created time
        (the same place in the list); their version moves on, so a form opened before
        the delete is stale. Only tasks untouched since "mark complete" are reopened.
        """
        async with atomic(self.session):
            entry = await task_undo.take(self.session, user_id, undo_id)
            if entry is None:
                return None
            if entry.kind == task_undo.DELETE:
                tasks = await self._restore(user_id, entry.payload)
            else:
                tasks = await self._reopen(user_id, entry.payload)
        return Changed(len(tasks), None, tasks, entry.kind)

    async def _restore(self, user_id: int, rows: list[dict]) -> tuple[TaskRow, ...]:
        values = [task_undo.from_snapshot(row) for row in rows]
        now = utcnow()
        for value in values:
            value.update(user_id=user_id, updated_at=now, version=value["version"] + 1)
        statement = (
            pg_insert(TASKS)
            .values(values)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(*COLUMNS)
        )
        return tuple((await self.session.exec(statement)).all())

    async def _reopen(self, user_id: int, pairs: list[list[int]]) -> tuple[TaskRow, ...]:
        statement = (
            update(TASKS)
            .where(
                TASKS.c.user_id == user_id,
                tuple_(TASKS.c.id, TASKS.c.version).in_([tuple(p) for p in pairs]),
            )
            .values(completed=False, updated_at=utcnow(), version=TASKS.c.version + 1)
            .returning(*COLUMNS)
        )
        return tuple((await self.session.exec(statement)).all())

    async def count_tasks(self, user_id: int, view: TaskFilter = TaskFilter()) -> tuple[int, int]:  # noqa: B008
        """(active, completed) among the view's tasks whatever their status, in one query."""
        row = await _counts_query(view.shape).fetchrow(
            self.session, user_id=user_id, **view.values()
        )
        assert row is not None
        return row.active_count, row.completed_count
