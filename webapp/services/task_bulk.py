"""Changes to many tasks at once, and their undo: TaskService's bulk half.

A delete (of one task, of a view's completed tasks, of a project's tasks) keeps what it
removed in an undo entry, and a tombstone per task for sync scripts, written by the same
statement (a data-modifying WITH); "mark
complete" keeps the (id, version) each task reached. Undo consumes the entry.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, literal, select, true, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import atomic
from webapp.models.base import utcnow
from webapp.models.project import Project
from webapp.models.task import Task
from webapp.models.undo import UndoEntry
from webapp.services import task_repeat, task_sync, task_undo
from webapp.services.due_dates import Clock
from webapp.services.label_service import LabelService
from webapp.services.task_query import TaskFilter

TASKS, UNDO, PROJECTS = Task.__table__, UndoEntry.__table__, Project.__table__
# Every stored column but those PostgreSQL computes (search_text): what a task row holds.
COLUMNS = tuple(column for column in TASKS.columns if column.computed is None)
TaskRow = Row[Any]


@dataclass(frozen=True)
class Changed:
    """What a bulk change or delete did, and the undo entry that can reverse it."""

    count: int
    undo_id: int | None
    tasks: tuple[Any, ...] = ()
    kind: str = ""  # for an undo: what it reversed (task_undo.DELETE, COMPLETE, PROJECT)
    repeated: int = 0  # of `count`, the repeating tasks that moved on rather than ended


def delete_with_undo(user_id: int, conditions: list) -> Any:
    """One statement deleting the matching tasks, keeping them in one undo entry and
    leaving a tombstone for each."""
    deleted = delete(TASKS).where(*conditions).returning(*COLUMNS).cte("deleted")
    snapshot = func.jsonb_agg(func.to_jsonb(deleted.table_valued()))
    entry = (
        insert(UNDO)
        .from_select(
            ["user_id", "kind", "payload", "created_at"],
            select(literal(user_id), literal(task_undo.DELETE), snapshot, literal(utcnow())).having(
                func.count() > 0
            ),
        )
        .returning(UNDO.c.id, UNDO.c.payload)
    )
    return entry.add_cte(deleted, task_sync.record_tombstones(deleted))


def _complete_plain(user_id: int, active: list, now: datetime) -> Any:
    """One statement: the view's tasks that do not repeat marked complete, their (id,
    version) kept in an undo entry, and the ones that do repeat read and locked for
    complete_matching to move on: rows of (undo_id, done, *a repeating task or nulls)."""
    completed = (
        update(TASKS)
        .where(*active, TASKS.c.recurrence.is_(None))
        .values(completed=true(), updated_at=now, version=TASKS.c.version + 1)
        .returning(TASKS.c.id, TASKS.c.version)
        .cte("completed")
    )
    pairs = func.jsonb_agg(func.jsonb_build_array(completed.c.id, completed.c.version))
    entry = (
        insert(UNDO)
        .from_select(
            ["user_id", "kind", "payload", "created_at"],
            select(literal(user_id), literal(task_undo.COMPLETE), pairs, literal(now)).having(
                func.count() > 0
            ),
        )
        .returning(UNDO.c.id)
        .cte("entry")
    )
    repeating = (
        select(*COLUMNS)
        .where(*active, TASKS.c.recurrence.is_not(None))
        .with_for_update()
        .cte("repeating")
    )
    one = select(literal(1).label("one")).subquery("one")
    return select(
        select(entry.c.id).scalar_subquery().label("undo_id"),
        select(func.count()).select_from(completed).scalar_subquery().label("done"),
        *repeating.c,
    ).select_from(one.outerjoin(repeating, true()))


class BulkChanges:
    session: AsyncSession

    async def _delete_with_undo(self, user_id: int, conditions: list) -> Changed:
        row = (await self.session.exec(delete_with_undo(user_id, conditions))).first()
        await self.session.commit()
        if row is None:
            return Changed(0, None)
        tasks = tuple(task_undo.row_from_snapshot(item) for item in row.payload)
        return Changed(len(tasks), row.id, tasks)

    async def complete_matching(
        self,
        user_id: int,
        view: TaskFilter,
        clock: Clock = Clock(),  # noqa: B008 (frozen)
    ) -> Changed:
        """Mark every active task of the view complete, as ticking each would: a repeating
        one moves on to its next due (its completion logged), the rest are done. One undo
        entry reverses all of it; a view without repeating tasks costs one statement."""
        active = [TASKS.c.user_id == user_id, *replace(view, completed=False).conditions(user_id)]
        now = utcnow()
        rows = (await self.session.exec(_complete_plain(user_id, active, now))).all()
        undo_id, done = rows[0].undo_id, rows[0].done
        moved = []
        for task in (row for row in rows if row.id is not None):  # locked until the commit
            changes = task_repeat.next_changes(task, clock, now)
            if found := await task_repeat.move_on(self.session, user_id, task, changes, now):
                moved.append(found[1])
        if moved:
            undo_id = await self._add_repeats(user_id, undo_id, moved, now)
        await self.session.commit()
        return Changed(done + len(moved), undo_id, repeated=len(moved))

    async def _add_repeats(
        self, user_id: int, undo_id: int | None, moved: list[dict], now: datetime
    ) -> int:
        """The undo entry, with what undo_advance needs for each repeating task moved on."""
        if undo_id is None:
            payload = {"completed": [], "repeated": moved}
            statement = insert(UNDO).values(
                user_id=user_id, kind=task_undo.COMPLETE, payload=payload, created_at=now
            )
        else:
            repeated = bindparam("repeated", moved, type_=UNDO.c.payload.type)
            both = func.jsonb_build_object("completed", UNDO.c.payload, "repeated", repeated)
            statement = (
                update(UNDO)
                .where(UNDO.c.id == undo_id, UNDO.c.user_id == user_id)
                .values(payload=both)
            )
        return (await self.session.exec(statement.returning(UNDO.c.id))).scalar_one()

    async def delete_completed_matching(self, user_id: int, view: TaskFilter) -> Changed:
        """Delete every completed task of the view, keeping them in the undo log."""
        conditions = [
            TASKS.c.user_id == user_id,
            *replace(view, completed=True).conditions(user_id),
        ]
        return await self._delete_with_undo(user_id, conditions)

    async def undo(self, user_id: int, undo_id: int) -> Changed | None:
        """Reverse a delete or bulk change; None when it can no longer be undone.

        Deleted tasks come back with their own id (links work again), created time and
        place in the order; their version moves on, so a form opened before the delete
        is stale. Only tasks untouched since "mark complete" are reopened.
        """
        async with atomic(self.session):
            entry = await task_undo.take(self.session, user_id, undo_id)
            if entry is None:
                return None
            if entry.kind == task_undo.COMPLETE and isinstance(entry.payload, dict):
                tasks = await self._reopen(user_id, entry.payload["completed"])
                for repeated in entry.payload["repeated"]:
                    tasks += await task_repeat.undo_advance(self.session, user_id, repeated)
            elif entry.kind == task_undo.COMPLETE:
                tasks = await self._reopen(user_id, entry.payload)
            elif entry.kind == task_undo.REPEAT:
                tasks = await task_repeat.undo_advance(self.session, user_id, entry.payload)
            elif entry.kind == task_undo.PROJECT:
                await task_undo.restore_project(self.session, user_id, entry.payload["project"])
                tasks = await self._restore(user_id, entry.payload["tasks"])
            else:
                tasks = await self._restore(user_id, entry.payload)
        return Changed(len(tasks), None, tasks, entry.kind)

    async def _restore(self, user_id: int, rows: list[dict]) -> tuple[TaskRow, ...]:
        values = [task_undo.from_snapshot(row) for row in rows]
        if not values:
            return ()
        # Their labels exist again (a label deleted meanwhile is made anew), and a task
        # whose project was deleted meanwhile comes back in the Inbox.
        names = {name for value in values for name in value["labels"]}
        spelled = await LabelService(self.session).spell(user_id, [*names])
        spelling = {name.casefold(): name for name in spelled}
        projects = await self.session.exec(
            select(PROJECTS.c.id, PROJECTS.c.is_inbox).where(PROJECTS.c.user_id == user_id)
        )
        ids = {row.id: row.is_inbox for row in projects}
        inbox = next(pid for pid, is_inbox in ids.items() if is_inbox)
        now = utcnow()
        for value in values:
            value.update(user_id=user_id, updated_at=now, version=value["version"] + 1)
            value["labels"] = [spelling[name.casefold()] for name in value["labels"]]
            if value["project_id"] not in ids:
                value["project_id"] = inbox
        statement = (
            pg_insert(TASKS)
            .values(values)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(*COLUMNS)
        )
        restored = tuple((await self.session.exec(statement)).all())
        await task_sync.forget_tombstones(self.session, user_id, [task.id for task in restored])
        return restored

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
