"""Business rules for tasks. Every query is scoped to one user: no method reads another's task.

A task that does not exist, is someone else's, or has an id no row can have is
the same TaskNotFound, which each surface turns into its own 404.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import case, delete, func, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.base import utcnow, valid_id
from webapp.models.task import Task
from webapp.schemas.task import TaskCreate, TaskUpdate
from webapp.services import task_undo
from webapp.services.task_query import Page, TaskFilter, decode_cursor, encode_cursor

__all__ = [
    "Changed",
    "Page",
    "StaleTaskError",
    "TaskFilter",
    "TaskNotFound",
    "TaskService",
    "decode_cursor",
    "encode_cursor",
]


class TaskNotFound(Exception):
    """No such task among the user's (deleted, never existed, or someone else's)."""


class StaleTaskError(Exception):
    """The task changed since the version the caller last saw."""

    def __init__(self, current: Task) -> None:
        super().__init__(f"task {current.id} is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class Changed:
    """What a bulk change or delete did, and the undo entry that can reverse it."""

    count: int
    undo_id: int | None
    tasks: tuple[Task, ...] = ()
    kind: str = ""  # for an undo: what it reversed, task_undo.DELETE or task_undo.COMPLETE


class TaskService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_task(self, user_id: int, task_data: TaskCreate) -> Task:
        now = utcnow()
        task = Task(user_id=user_id, created_at=now, updated_at=now, **task_data.model_dump())
        self.session.add(task)
        await self.session.commit()
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
        query = select(Task).where(Task.user_id == user_id, *view.conditions())
        if after is not None:
            query = query.where(tuple_(col(Task.created_at), col(Task.id)) < tuple_(*after))
        query = query.order_by(col(Task.created_at).desc(), col(Task.id).desc()).limit(limit + 1)
        tasks = list((await self.session.exec(query)).all())
        if len(tasks) > limit:
            tasks = tasks[:limit]
            return Page(tasks, encode_cursor(tasks[-1]))
        return Page(tasks, "")

    async def get_task(self, user_id: int, task_id: int) -> Task:
        if not valid_id(task_id):
            raise TaskNotFound
        result = await self.session.exec(
            select(Task).where(Task.id == task_id, Task.user_id == user_id)
        )
        task = result.first()
        if task is None:
            raise TaskNotFound
        return task

    async def _lock_task(self, user_id: int, task_id: int, expected_version: int | None) -> Task:
        """The task, row-locked until commit and freshly read: two concurrent changes
        made against the same version cannot both pass the version check."""
        if not valid_id(task_id):
            raise TaskNotFound
        result = await self.session.exec(
            select(Task)
            .where(Task.id == task_id, Task.user_id == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        task = result.first()
        if task is None:
            raise TaskNotFound
        if expected_version is not None and task.version != expected_version:
            raise StaleTaskError(task)
        return task

    async def update_task(
        self,
        user_id: int,
        task_id: int,
        task_data: TaskUpdate,
        *,
        expected_version: int | None = None,
    ) -> Task:
        """Apply the fields that were sent. With `expected_version`, a task changed
        meanwhile raises StaleTaskError and is left as it is."""
        task = await self._lock_task(user_id, task_id, expected_version)
        for field, value in task_data.model_dump(exclude_unset=True).items():
            setattr(task, field, value)
        task.updated_at = utcnow()
        task.version += 1
        await self.session.commit()
        return task

    async def set_completed(self, user_id: int, task_id: int, completed: bool | None) -> Task:
        """Set the task's status to `completed` (flip it when None), in one UPDATE.

        Setting the status it already has changes nothing, not even the version: a
        stale tab ticking a task done elsewhere leaves it done.
        """
        if not valid_id(task_id):
            raise TaskNotFound
        target = col(Task.completed).is_(False) if completed is None else completed
        unchanged = col(Task.completed) == target
        result = await self.session.exec(
            update(Task)
            .where(col(Task.id) == task_id, col(Task.user_id) == user_id)
            .values(
                completed=target,
                version=case((unchanged, Task.version), else_=Task.version + 1),
                updated_at=case((unchanged, Task.updated_at), else_=utcnow()),
            )
            .returning(Task)
        )
        task = result.scalars().first()
        await self.session.commit()
        if task is None:
            raise TaskNotFound
        return task

    async def delete_task(
        self, user_id: int, task_id: int, *, expected_version: int | None = None
    ) -> Changed:
        """Delete the task, keeping it in the undo log."""
        task = await self._lock_task(user_id, task_id, expected_version)
        undo_id = await task_undo.record(
            self.session, user_id, task_undo.DELETE, [task_undo.snapshot(task)]
        )
        await self.session.delete(task)
        await self.session.commit()
        return Changed(1, undo_id, (task,))

    async def complete_matching(self, user_id: int, view: TaskFilter) -> Changed:
        """Mark every active task of the view complete."""
        result = await self.session.exec(
            update(Task)
            .where(col(Task.user_id) == user_id, *replace(view, completed=False).conditions())
            .values(completed=True, updated_at=utcnow(), version=Task.version + 1)
            .returning(col(Task.id), col(Task.version))
        )
        changed = [list(row) for row in result.all()]
        undo_id = None
        if changed:
            undo_id = await task_undo.record(self.session, user_id, task_undo.COMPLETE, changed)
        await self.session.commit()
        return Changed(len(changed), undo_id)

    async def delete_completed_matching(self, user_id: int, view: TaskFilter) -> Changed:
        """Delete every completed task of the view, keeping them in the undo log."""
        result = await self.session.exec(
            delete(Task)
            .where(col(Task.user_id) == user_id, *replace(view, completed=True).conditions())
            .returning(Task)
        )
        tasks = tuple(result.scalars().all())
        undo_id = None
        if tasks:
            undo_id = await task_undo.record(
                self.session, user_id, task_undo.DELETE, [task_undo.snapshot(t) for t in tasks]
            )
        await self.session.commit()
        return Changed(len(tasks), undo_id, tasks)

    async def undo(self, user_id: int, undo_id: int) -> Changed | None:
        """Reverse a delete or bulk change; None when it can no longer be undone.

        Deleted tasks come back with their own id (links work again) and created time
        (the same place in the list); their version moves on, so a form opened before
        the delete is stale. Only tasks untouched since "mark complete" are reopened.
        """
        entry = await task_undo.take(self.session, user_id, undo_id)
        if entry is None:
            await self.session.commit()
            return None
        if entry.kind == task_undo.DELETE:
            tasks = await self._restore(user_id, entry.payload)
        else:
            tasks = await self._reopen(user_id, entry.payload)
        await self.session.commit()
        return Changed(len(tasks), None, tasks, entry.kind)

    async def _restore(self, user_id: int, rows: list[dict]) -> tuple[Task, ...]:
        values = [task_undo.from_snapshot(row) for row in rows]
        now = utcnow()
        for value in values:
            value.update(user_id=user_id, updated_at=now, version=value["version"] + 1)
        statement = (
            insert(Task)
            .values(values)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(Task)
        )
        result = await self.session.exec(select(Task).from_statement(statement))
        return tuple(result.scalars().all())

    async def _reopen(self, user_id: int, pairs: list[list[int]]) -> tuple[Task, ...]:
        result = await self.session.exec(
            update(Task)
            .where(
                col(Task.user_id) == user_id,
                tuple_(col(Task.id), col(Task.version)).in_([tuple(p) for p in pairs]),
            )
            .values(completed=False, updated_at=utcnow(), version=Task.version + 1)
            .returning(Task)
        )
        return tuple(result.scalars().all())

    async def count_tasks(self, user_id: int, view: TaskFilter = TaskFilter()) -> tuple[int, int]:  # noqa: B008
        """(active, completed) among the view's tasks whatever their status, in one query."""
        query = select(
            func.count().filter(col(Task.completed).is_(False)),
            func.count().filter(col(Task.completed).is_(True)),
        ).where(Task.user_id == user_id, *view.scope().conditions())
        active, completed = (await self.session.exec(query)).one()
        return active, completed
