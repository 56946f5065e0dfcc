"""What every page of the list shows around the tasks: the counts, projects and labels.

One statement, so that a page is still three (the session, the page, this) and an
action's answer two plus its change: the view's (active, completed) counts, the open
tasks due today or overdue (the sidebar's Today), each project with its number of open
tasks, and the labels, as one UNION ALL of rows told apart by `kind`. The counts come
from the indexes alone (see models/task.py).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query
from webapp.models.project import Label, Project
from webapp.models.task import Task
from webapp.services.due_dates import Clock, DueRange
from webapp.services.task_query import Shape, TaskFilter, due_condition, due_values

TASKS, PROJECTS, LABELS = Task.__table__, Project.__table__, Label.__table__


@dataclass(frozen=True)
class ProjectEntry:
    id: int
    name: str
    is_inbox: bool
    archived: bool
    open_count: int


@dataclass(frozen=True)
class LabelEntry:
    id: int
    name: str
    color: str


@dataclass(frozen=True)
class Overview:
    active: int  # the view's open tasks
    completed: int  # and its completed ones
    projects: tuple[ProjectEntry, ...]  # Inbox first, then the user's order
    labels: tuple[LabelEntry, ...]  # by name
    today: int = 0  # open tasks due today or overdue, in the user's zone

    @property
    def inbox(self) -> ProjectEntry:
        return self.projects[0]

    @property
    def active_projects(self) -> tuple[ProjectEntry, ...]:
        return tuple(p for p in self.projects if not p.archived)

    def project(self, project_id: int | None) -> ProjectEntry | None:
        return next((p for p in self.projects if p.id == project_id), None)

    def label(self, name: str | None) -> LabelEntry | None:
        wanted = (name or "").casefold()
        return next((label for label in self.labels if label.name.casefold() == wanted), None)

    def project_names(self) -> dict[int, str]:
        """The names a row shows for its project: the Inbox goes without saying."""
        return {p.id: p.name for p in self.projects if not p.is_inbox}


def _row(kind: str, **columns: Any) -> Any:
    """One member of the union: every column in the same place with the same type."""
    types = {
        "id": Integer,
        "name": String,
        "a": BigInteger,
        "b": BigInteger,
        "is_inbox": Boolean,
        "archived": Boolean,
        "color": String,
        "position": BigInteger,
    }
    values = [literal(kind).label("kind")]
    for name, type_ in types.items():
        value = columns.get(name)
        values.append((cast(null(), type_) if value is None else value).label(name))
    return values


@cache
def _overview_query(shape: Shape) -> Query:
    user_id = bindparam("user_id", type_=Integer)
    scope = (False, *shape[1:])  # a view's counts are over its tasks whatever their status
    counts = select(
        *_row(
            "c",
            a=func.count().filter(TASKS.c.completed.is_(False)),
            b=func.count().filter(TASKS.c.completed.is_(True)),
        )
    ).where(TASKS.c.user_id == user_id, *TaskFilter.bound_conditions(scope))
    today = select(*_row("t", a=func.count())).where(
        TASKS.c.user_id == user_id, TASKS.c.completed.is_(False), due_condition("today")
    )
    open_tasks = (
        select(TASKS.c.project_id, func.count().label("n"))
        .where(TASKS.c.user_id == user_id, TASKS.c.completed.is_(False))
        .group_by(TASKS.c.project_id)
        .subquery()
    )
    projects = (
        select(
            *_row(
                "p",
                id=PROJECTS.c.id,
                name=PROJECTS.c.name,
                a=func.coalesce(open_tasks.c.n, 0),
                is_inbox=PROJECTS.c.is_inbox,
                archived=PROJECTS.c.archived,
                position=PROJECTS.c.position,
            )
        )
        .select_from(PROJECTS.outerjoin(open_tasks, open_tasks.c.project_id == PROJECTS.c.id))
        .where(PROJECTS.c.user_id == user_id)
    )
    labels = select(*_row("l", id=LABELS.c.id, name=LABELS.c.name, color=LABELS.c.color)).where(
        LABELS.c.user_id == user_id
    )
    return Query(union_all(counts, today, projects, labels))


async def overview(
    session: AsyncSession, user_id: int, view: TaskFilter, today: DueRange | None = None
) -> Overview:
    """`today` is the user's Today (DueRange.today with their clock); UTC's without one."""
    today = today or DueRange.today(Clock())
    values = view.values() | due_values("today", today)
    rows = await _overview_query(view.shape).fetch(session, user_id=user_id, **values)
    counts = next(row for row in rows if row.kind == "c")
    due_today = next(row for row in rows if row.kind == "t")
    projects = sorted(
        (row for row in rows if row.kind == "p"),
        key=lambda row: (not row.is_inbox, row.position, row.id),
    )
    labels = sorted((row for row in rows if row.kind == "l"), key=lambda row: row.name.casefold())
    return Overview(
        active=counts.a,
        completed=counts.b,
        projects=tuple(
            ProjectEntry(row.id, row.name, row.is_inbox, row.archived, row.a) for row in projects
        ),
        labels=tuple(LabelEntry(row.id, row.name, row.color) for row in labels),
        today=due_today.a,
    )
