"""Ticking a task done or not: one UPDATE for most, and for a repeating task the move to
its next due instead (task_repeat.py), with an undo. TaskService's status half."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, bindparam, case, not_, update
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query
from webapp.models.base import utcnow, valid_id
from webapp.models.task import Task
from webapp.services import task_repeat
from webapp.services.due_dates import Clock
from webapp.services.task_bulk import COLUMNS, TaskRow

TASKS = Task.__table__


def _set_completed(target: Any) -> Query:
    unchanged = TASKS.c.completed == target
    # A repeating task is not completed here but moved on (task_repeat.advance): no row.
    plain = TASKS.c.recurrence.is_(None) | TASKS.c.completed | not_(target)
    return Query(
        update(TASKS)
        .where(TASKS.c.id == bindparam("id"), TASKS.c.user_id == bindparam("user_id"), plain)
        .values(
            completed=target,
            version=case((unchanged, TASKS.c.version), else_=TASKS.c.version + 1),
            updated_at=case((unchanged, TASKS.c.updated_at), else_=bindparam("now")),
        )
        .returning(*COLUMNS)
    )


_SET_COMPLETED = _set_completed(bindparam("completed", type_=Boolean))
_FLIP_COMPLETED = _set_completed(TASKS.c.completed.is_(False))


@dataclass(frozen=True)
class Toggled:
    """A status change: the task as it is now, and for a repeating task moved on to its
    next due, the undo entry that takes that back."""

    task: Any
    undo_id: int | None = None
    repeated: bool = False


class TaskNotFound(Exception):
    """No such task among the user's (deleted, never existed, or someone else's)."""


class StatusChanges:
    session: AsyncSession

    async def get_task(self, user_id: int, task_id: int) -> Any: ...  # TaskService's

    async def set_completed(
        self,
        user_id: int,
        task_id: int,
        completed: bool | None,
        *,
        clock: Clock = Clock(),  # noqa: B008 (frozen)
    ) -> TaskRow:
        return (await self.complete(user_id, task_id, completed, clock=clock)).task

    async def complete(
        self,
        user_id: int,
        task_id: int,
        completed: bool | None,
        *,
        clock: Clock = Clock(),  # noqa: B008 (frozen)
    ) -> Toggled:
        """Set the task's status to `completed` (flip it when None), in one UPDATE.

        Setting the status it already has changes nothing, not even the version: a
        stale tab ticking a task done elsewhere leaves it done. Completing a repeating
        task moves it to its next due instead, with an undo (task_repeat.py).
        """
        if not valid_id(task_id):
            raise TaskNotFound
        query = _FLIP_COMPLETED if completed is None else _SET_COMPLETED
        values = {} if completed is None else {"completed": completed}
        task = await query.fetchrow(
            self.session, id=task_id, user_id=user_id, now=utcnow(), **values
        )
        if task is not None:
            return Toggled(task)
        return await self._advance(user_id, await self.get_task(user_id, task_id), clock)

    async def _advance(self, user_id: int, task: TaskRow, clock: Clock) -> Toggled:
        moved, undo_id = await task_repeat.advance(self.session, user_id, task, clock)
        if moved is None:  # changed meanwhile: as it is now
            return Toggled(await self.get_task(user_id, task.id))
        return Toggled(moved, undo_id, repeated=not moved.completed)
