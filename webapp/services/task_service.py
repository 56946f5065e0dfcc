"""Business rules for tasks. Every query is scoped to one user: no method reads another's task.

A task that does not exist, is someone else's, or has an id no row can have is
the same TaskNotFound, which each surface turns into its own 404.

Tasks come back as rows of their columns (`TaskRow`, read like the model: task.title),
not as ORM objects: the list is the hottest read of the app. Every change is one SQL
statement, so it is atomic without a transaction round trip: a version check is a
condition of the UPDATE itself, and a delete writes its undo entry in the same
statement (a data-modifying WITH).
"""

from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    bindparam,
    case,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query, atomic
from webapp.models.base import utcnow, valid_id
from webapp.models.project import Project
from webapp.models.task import Task
from webapp.schemas.task import TaskCreate, TaskUpdate
from webapp.services import task_order, task_repeat
from webapp.services.due_dates import Clock
from webapp.services.label_service import LabelService
from webapp.services.project_service import ProjectNotFound
from webapp.services.task_bulk import COLUMNS, BulkChanges, Changed
from webapp.services.task_query import (
    Page,
    Shape,
    Sort,
    TaskFilter,
    after_condition,
    decode_cursor,
    encode_cursor,
    order_by,
)
from webapp.services.task_status import StatusChanges, TaskNotFound, Toggled

__all__ = [
    "AnchorNotFound",
    "Changed",
    "Page",
    "ProjectNotFound",
    "Sort",
    "StaleTaskError",
    "TaskFilter",
    "TaskNotFound",
    "TaskRow",
    "TaskService",
    "Toggled",
    "decode_cursor",
    "encode_cursor",
]

TASKS, PROJECTS = Task.__table__, Project.__table__
TaskRow = Row[Any]


# The hot statements, compiled once (per filter shape and order) and run on the driver:
# see webapp.db.Query. Each is the same SQLAlchemy Core a one-off query would build.


@cache
def _page_query(shape: Shape, sort: Sort = Sort.created, keyset: bool = False) -> Query:
    query = select(*COLUMNS).where(
        TASKS.c.user_id == bindparam("user_id"), *TaskFilter.bound_conditions(shape)
    )
    if keyset:
        query = query.where(after_condition(sort))
    return Query(query.order_by(*order_by(sort)).limit(bindparam("limit")))


@cache
def _counts_query(shape: Shape) -> Query:
    """(active, completed) over a view's tasks whatever their status."""
    scope = (False, *shape[1:])
    return Query(
        select(
            func.count().filter(TASKS.c.completed.is_(False)).label("active_count"),
            func.count().filter(TASKS.c.completed.is_(True)).label("completed_count"),
        ).where(TASKS.c.user_id == bindparam("user_id"), *TaskFilter.bound_conditions(scope))
    )


_GET = Query(
    select(*COLUMNS).where(TASKS.c.id == bindparam("id"), TASKS.c.user_id == bindparam("user_id"))
)
# A new task goes on top of the manual order, into the project named or else the Inbox,
# which must be the user's own: no such project, no row.
_PROJECT_ID = bindparam("project_id", type_=Integer)
_CREATE = Query(
    insert(TASKS)
    .from_select(
        [
            "user_id",
            "project_id",
            "title",
            "description",
            "priority",
            "labels",
            "due_date",
            "due_at",
            "recurrence",
            "repeat_from",
            "position",
            "created_at",
            "updated_at",
        ],
        select(
            PROJECTS.c.user_id,
            PROJECTS.c.id,
            bindparam("title", type_=TASKS.c.title.type),
            bindparam("description", type_=TASKS.c.description.type),
            bindparam("priority", type_=TASKS.c.priority.type),
            bindparam("labels", type_=TASKS.c.labels.type),
            bindparam("due_date", type_=TASKS.c.due_date.type),
            bindparam("due_at", type_=TASKS.c.due_at.type),
            bindparam("recurrence", type_=TASKS.c.recurrence.type),
            bindparam("repeat_from", type_=TASKS.c.repeat_from.type),
            task_order.top_position(),
            func.now(),  # the database's clock for both, as for every change (migration 0013)
            func.now(),
        ).where(
            PROJECTS.c.user_id == bindparam("user_id"),
            (PROJECTS.c.id == _PROJECT_ID) | (_PROJECT_ID.is_(None) & PROJECTS.c.is_inbox),
        ),
    )
    .returning(*COLUMNS)
)
_MOVE = Query(
    update(TASKS)
    .where(TASKS.c.id == bindparam("id"), TASKS.c.user_id == bindparam("user_id"))
    .values(
        position=bindparam("position"), version=TASKS.c.version + 1, updated_at=bindparam("now")
    )
    .returning(*COLUMNS)
)


class AnchorNotFound(Exception):
    """The task a move was to place this one next to is not among the user's (any more)."""


class StaleTaskError(Exception):
    """The task changed since the version the caller last saw."""

    def __init__(self, current: TaskRow) -> None:
        super().__init__(f"task {current.id} is at version {current.version}")
        self.current = current


def _mine(user_id: int, task_id: int) -> tuple:
    return (TASKS.c.id == task_id, TASKS.c.user_id == user_id)


class TaskService(BulkChanges, StatusChanges):
    """One task at a time; changes to many and their undo come from BulkChanges, ticking
    a task (and moving a repeating one on) from StatusChanges."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_task(
        self,
        user_id: int,
        task_data: TaskCreate,
        *,
        clock: Clock = Clock(),  # noqa: B008 (frozen)
    ) -> TaskRow:
        """A new task on top of the manual order, in its project (else the Inbox). A
        repeat with no due starts on its first day from today in the user's zone."""
        values = task_data.model_dump(mode="json", exclude=set(task_repeat.DUE_FIELDS))
        values |= task_repeat.starting_due(task_data, clock)
        if not values["labels"]:
            return await self._create(user_id, values)
        # The new labels and the task, or neither: a refused task leaves no label behind.
        async with atomic(self.session):
            values["labels"] = await LabelService(self.session).spell(user_id, values["labels"])
            return await self._create(user_id, values)

    async def _create(self, user_id: int, values: dict[str, Any]) -> TaskRow:
        task = await _CREATE.fetchrow(self.session, user_id=user_id, **values)
        if task is None:
            raise ProjectNotFound
        return task

    async def list_tasks(
        self,
        user_id: int,
        view: TaskFilter = TaskFilter(),  # noqa: B008 (frozen, so a shared default is safe)
        *,
        sort: Sort = Sort.created,
        after: tuple | None = None,
        limit: int = 50,
    ) -> Page:
        """One page of the view in `sort` order, and the cursor of the next.

        `after` is the keyset (decode_cursor) of the last task of the previous page, so
        tasks added meanwhile never shift a page. One extra row tells whether a next
        page exists, without a second query.
        """
        values: dict[str, Any] = {"user_id": user_id, "limit": limit + 1} | view.values()
        values |= {f"after_{i}": value for i, value in enumerate(after or ())}
        query = _page_query(view.shape, sort, after is not None)
        tasks = await query.fetch(self.session, **values)
        if len(tasks) > limit:
            tasks = tasks[:limit]
            return Page(tasks, encode_cursor(tasks[-1], sort))
        return Page(tasks, "")

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
        clock: Clock = Clock(),  # noqa: B008 (frozen)
    ) -> TaskRow:
        """Apply the fields that were sent. With `expected_version`, a task changed
        meanwhile raises StaleTaskError and is left as it is.

        The version is a condition of the UPDATE: of two changes made against the same
        version, the second waits for the first's row lock, then matches nothing. A task
        moved to another project goes on top of the order there.
        """
        if not valid_id(task_id):
            raise TaskNotFound
        conditions = list(_mine(user_id, task_id))
        if expected_version is not None:
            conditions.append(TASKS.c.version == expected_version)
        changes: dict[str, Any] = task_data.model_dump(exclude_unset=True)
        completing = changes.get("completed") is True
        changes |= task_repeat.due_changes(changes, clock)
        if completing:  # a repeating task moves on instead (below), by the rule it ends with
            rule = changes.get("recurrence", TASKS.c.recurrence)
            if rule is None:  # "stop repeating, and done"
                changes["completed"] = True
            elif isinstance(rule, str):
                changes["completed"] = TASKS.c.completed
            else:
                changes["completed"] = TASKS.c.recurrence.is_(None) | TASKS.c.completed
        if changes.get("project_id", 0) is None:  # a form's empty choice: no change
            del changes["project_id"]
        if "project_id" in changes:
            moved = TASKS.c.project_id != changes["project_id"]
            top = task_order.top_position(user_id)
            changes["position"] = case((moved, top), else_=TASKS.c.position)
        if "labels" not in changes:
            task = await self._update(changes, conditions)
            await self.session.commit()
        else:
            # The new labels and the change, or neither (see create_task).
            async with atomic(self.session):
                labels = await LabelService(self.session).spell(user_id, changes["labels"])
                task = await self._update(changes | {"labels": labels}, conditions)
                if task is None:  # raised inside: the labels just made are undone
                    raise StaleTaskError(await self.get_task(user_id, task_id))
        if task is None:
            raise StaleTaskError(await self.get_task(user_id, task_id))
        if completing and not task.completed:
            return (await self._advance(user_id, task, clock)).task
        return task

    async def _update(self, changes: dict[str, Any], conditions: list) -> TaskRow | None:
        try:
            return await self._one(
                update(TASKS)
                .where(*conditions)
                .values(**changes, updated_at=utcnow(), version=TASKS.c.version + 1)
                .returning(*COLUMNS)
            )
        except IntegrityError:  # fk_tasks_project: not one of the user's projects
            await self.session.rollback()
            raise ProjectNotFound from None

    async def _one(self, statement: Any) -> TaskRow | None:
        return (await self.session.exec(statement)).first()

    async def move_task(
        self, user_id: int, task_id: int, *, after: int | None = None, before: int | None = None
    ) -> TaskRow:
        """Place the task just after (or before) another of the user's tasks in the manual
        order, writing this one row (see task_order)."""
        if not valid_id(task_id):
            raise TaskNotFound
        anchor = after if after is not None else before
        if anchor is None or anchor == task_id:
            return await self.get_task(user_id, task_id)
        if not valid_id(anchor):
            raise AnchorNotFound
        position = await task_order.position_next_to(
            self.session, user_id, task_id, anchor, after=after is not None
        )
        if position is None:
            raise AnchorNotFound
        task = await _MOVE.fetchrow(
            self.session, id=task_id, user_id=user_id, position=position, now=utcnow()
        )
        if task is None:
            raise TaskNotFound
        return task

    async def neighbour(self, user_id: int, task: Any, view: TaskFilter, *, up: bool) -> int | None:
        """The id of the task just above (or below) `task` in the view's manual order."""
        keys = (TASKS.c.position, TASKS.c.id)
        here = (task.position, task.id)
        beyond = tuple_(*keys) < tuple_(*here) if up else tuple_(*keys) > tuple_(*here)
        order = [key.desc() for key in keys] if up else list(keys)
        row = await self._one(
            select(TASKS.c.id)
            .where(TASKS.c.user_id == user_id, *view.conditions(user_id), beyond)
            .order_by(*order)
            .limit(1)
        )
        return row.id if row else None

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

    async def count_tasks(self, user_id: int, view: TaskFilter = TaskFilter()) -> tuple[int, int]:  # noqa: B008
        """(active, completed) among the view's tasks whatever their status, in one query."""
        row = await _counts_query(view.shape).fetchrow(
            self.session, user_id=user_id, **view.values()
        )
        assert row is not None
        return row.active_count, row.completed_count
