"""Task business rules. Every query is scoped to one user: no method reads another's task."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.base import MAX_ID, utcnow
from webapp.models.task import Priority, Task
from webapp.schemas.task import TaskCreate, TaskUpdate

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode_cursor(task: Task) -> str:
    """The keyset position just past `task` in newest-first order: "<created_at µs>-<id>"."""
    return f"{(task.created_at - _EPOCH) // _MICROSECOND}-{task.id}"


def decode_cursor(value: str | None) -> tuple[datetime, int] | None:
    """The (created_at, id) an `encode_cursor` string names; None for anything else."""
    if not value:
        return None
    micros, _, task_id = value.partition("-")
    if not (micros.isdigit() and task_id.isdigit()) or len(micros) > 17 or len(task_id) > 10:
        return None
    if not 1 <= int(task_id) <= MAX_ID:
        return None
    return _EPOCH + int(micros) * _MICROSECOND, int(task_id)


class StaleTaskError(Exception):
    """The task changed since the version the caller last saw."""

    def __init__(self, current: Task) -> None:
        super().__init__(f"task {current.id} is at version {current.version}")
        self.current = current


class TaskService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_task(self, user_id: int, task_data: TaskCreate) -> Task:
        now = utcnow()
        task = Task(user_id=user_id, created_at=now, updated_at=now, **task_data.model_dump())
        self.session.add(task)
        await self.session.commit()
        return task

    async def get_tasks(
        self,
        user_id: int,
        *,
        completed: bool | None = None,
        priority: Priority | None = None,
        search: str | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int | None = None,
    ) -> list[Task]:
        """The user's tasks, newest first.

        `after` is the (created_at, id) of the last task of the previous page:
        a keyset, so tasks added meanwhile never shift a page.
        """
        query = select(Task).where(Task.user_id == user_id)
        if completed is not None:
            query = query.where(Task.completed == completed)
        if priority is not None:
            query = query.where(Task.priority == priority)
        if search:
            pattern = f"%{_escape_like(search)}%"
            query = query.where(
                or_(
                    col(Task.title).ilike(pattern, escape="\\"),
                    col(Task.description).ilike(pattern, escape="\\"),
                )
            )
        if after is not None:
            query = query.where(tuple_(col(Task.created_at), col(Task.id)) < tuple_(*after))
        query = query.order_by(col(Task.created_at).desc(), col(Task.id).desc())
        if limit is not None:
            query = query.limit(limit)
        result = await self.session.exec(query)
        return list(result.all())

    async def get_task_by_id(self, user_id: int, task_id: int) -> Task | None:
        result = await self.session.exec(
            select(Task).where(Task.id == task_id, Task.user_id == user_id)
        )
        return result.first()

    async def _lock_task(self, user_id: int, task_id: int) -> Task | None:
        """The task, row-locked until commit and freshly read: two concurrent changes
        made against the same version cannot both pass the version check."""
        result = await self.session.exec(
            select(Task)
            .where(Task.id == task_id, Task.user_id == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.first()

    async def update_task(
        self,
        user_id: int,
        task_id: int,
        task_data: TaskUpdate,
        *,
        expected_version: int | None = None,
    ) -> Task | None:
        """Apply the fields that were sent; None when the task is not the user's.

        With `expected_version`, a task changed meanwhile raises StaleTaskError
        and is left as it is.
        """
        task = await self._lock_task(user_id, task_id)
        if task is None:
            return None
        if expected_version is not None and task.version != expected_version:
            raise StaleTaskError(task)
        for field, value in task_data.model_dump(exclude_unset=True).items():
            setattr(task, field, value)
        task.updated_at = utcnow()
        task.version += 1
        await self.session.commit()
        return task

    async def delete_task(
        self, user_id: int, task_id: int, *, expected_version: int | None = None
    ) -> Task | None:
        """Delete and return the task (for an undo); None when it is not the user's."""
        task = await self._lock_task(user_id, task_id)
        if task is None:
            return None
        if expected_version is not None and task.version != expected_version:
            raise StaleTaskError(task)
        await self.session.delete(task)
        await self.session.commit()
        return task

    async def restore_task(
        self,
        user_id: int,
        *,
        task_id: int,
        title: str,
        description: str | None,
        priority: str,
        completed: bool,
        created_at: datetime,
        version: int,
    ) -> Task | None:
        """Put a deleted task back as it was: same id, so links to it work again, and same
        created time, so it returns to its place in the list.

        None when that id is taken (already restored): an undo never makes a copy.
        The version moves past the deleted one, so a form opened before the delete is stale.
        """
        statement = (
            insert(Task)
            .values(
                id=task_id,
                user_id=user_id,
                title=title,
                description=description,
                priority=priority,
                completed=completed,
                created_at=created_at,
                updated_at=utcnow(),
                version=version + 1,
            )
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(Task)
        )
        result = await self.session.exec(select(Task).from_statement(statement))
        task = result.scalars().first()
        await self.session.commit()
        return task

    async def count_tasks(self, user_id: int) -> tuple[int, int]:
        """(active, completed) counts for the user, in one query."""
        query = select(
            func.count().filter(col(Task.completed).is_(False)),
            func.count().filter(col(Task.completed).is_(True)),
        ).where(Task.user_id == user_id)
        active, completed = (await self.session.exec(query)).one()
        return active, completed

    async def complete_all(self, user_id: int) -> int:
        """Mark every active task of the user complete; returns how many changed."""
        result = await self.session.exec(
            update(Task)
            .where(col(Task.user_id) == user_id, col(Task.completed).is_(False))
            .values(completed=True, updated_at=utcnow(), version=Task.version + 1)
        )
        await self.session.commit()
        return result.rowcount

    async def clear_completed(self, user_id: int) -> Sequence[int]:
        """Delete the user's completed tasks; returns their ids."""
        result = await self.session.exec(
            delete(Task)
            .where(col(Task.user_id) == user_id, col(Task.completed).is_(True))
            .returning(col(Task.id))
        )
        ids = list(result.scalars().all())
        await self.session.commit()
        return ids


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
