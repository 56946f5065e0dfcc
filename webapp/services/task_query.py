"""Which of a user's tasks a view shows, in which order, and where a page of them starts.

The same filter serves the HTML list and the API, so the page, its counts and a
bulk action always agree on which tasks a view holds. Pages are keysets over the
order's own columns (a cursor names the last row shown), so a task added or moved
meanwhile never shifts a page.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    String,
    bindparam,
    case,
    func,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import array

from webapp.models.project import Label
from webapp.models.task import DUE_KEY_SQL, Priority, Task
from webapp.services.due_dates import DueRange

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
TASKS = Task.__table__
LABELS = Label.__table__


class Sort(StrEnum):
    manual = "manual"  # the user's own order (new tasks on top)
    priority = "priority"  # high first, then the manual order
    created = "created"  # newest first
    due = "due"  # soonest due first, undated last, then the manual order
    updated = "updated"  # least recently changed first: what a sync script pages through


# The indexed due key, written exactly as the index is (models/task.py), so PostgreSQL
# sees they are the same expression: a date-only task at its day's start in UTC, an
# undated one at 'infinity'. Single-table statements only: its columns are unqualified.
DUE_KEY = literal_column(DUE_KEY_SQL, DateTime(timezone=True))
_FAR = datetime.max.replace(tzinfo=UTC)  # how asyncpg reads and writes 'infinity'
_NOON = time(12)  # a date-only task's moment in DUE_KEY_SQL

# High first; the manual order decides within a priority.
PRIORITY_RANK = case(
    (TASKS.c.priority == Priority.high.value, 0),
    (TASKS.c.priority == Priority.medium.value, 1),
    else_=2,
)


def order_by(sort: Sort) -> list[Any]:
    if sort is Sort.created:
        return [TASKS.c.created_at.desc(), TASKS.c.id.desc()]
    if sort is Sort.updated:
        return [TASKS.c.updated_at, TASKS.c.id]
    if sort is Sort.priority:
        return [PRIORITY_RANK, TASKS.c.position, TASKS.c.id]
    if sort is Sort.due:
        return [DUE_KEY, TASKS.c.id]
    return [TASKS.c.position, TASKS.c.id]


def due_key(task: Any) -> datetime:
    """DUE_KEY of a row, in Python: what a due-order cursor holds."""
    if task.due_at is not None:
        return task.due_at
    if task.due_date is not None:
        return datetime.combine(task.due_date, _NOON, UTC)
    return _FAR


def after_condition(sort: Sort) -> ColumnElement[bool]:
    """Rows past the cursor's (named parameters after_0, after_1, ...) in `sort` order."""
    if sort in (Sort.created, Sort.updated):
        stamp = TASKS.c.created_at if sort is Sort.created else TASKS.c.updated_at
        after = tuple_(
            bindparam("after_0", type_=stamp.type),
            bindparam("after_1", type_=BigInteger()),  # any 10 digits: see decode_cursor
        )
        if sort is Sort.updated:
            return tuple_(stamp, TASKS.c.id) > after
        return tuple_(stamp, TASKS.c.id) < after
    if sort is Sort.priority:
        keys = (PRIORITY_RANK, TASKS.c.position, TASKS.c.id)
    elif sort is Sort.due:
        keys = (DUE_KEY, TASKS.c.id)
    else:
        keys = (TASKS.c.position, TASKS.c.id)
    types = [k.type for k in keys[:-1]] + [BigInteger()]
    after = tuple_(*(bindparam(f"after_{i}", type_=t) for i, t in enumerate(types)))
    return tuple_(*keys) > after


def _rank(priority: str) -> int:
    return {Priority.high.value: 0, Priority.medium.value: 1}.get(priority, 2)


def encode_cursor(task: Any, sort: Sort = Sort.created) -> str:
    """The keyset position just past `task` in `sort` order, as text for a URL."""
    if sort is Sort.created:
        return f"{(task.created_at - _EPOCH) // _MICROSECOND}-{task.id}"
    if sort is Sort.updated:
        return f"u{(task.updated_at - _EPOCH) // _MICROSECOND}-{task.id}"
    if sort is Sort.priority:
        return f"p{_rank(task.priority)}.{task.position}_{task.id}"
    if sort is Sort.due:
        return f"d{(due_key(task) - _EPOCH) // _MICROSECOND}_{task.id}"
    return f"m{task.position}_{task.id}"


def _int(text: str, digits: int = 20) -> int | None:
    body = text[1:] if text.startswith("-") else text
    return int(text) if body.isdigit() and len(body) <= digits else None


def decode_cursor(value: str | None, sort: Sort = Sort.created) -> tuple | None:
    """The keyset values an `encode_cursor(…, sort)` string names; None for anything else."""
    if not value:
        return None
    if sort is Sort.updated:
        if not value.startswith("u"):
            return None
        return decode_cursor(value[1:], Sort.created)
    if sort is Sort.created:
        micros, _, task_id = value.partition("-")
        if not (micros.isdigit() and task_id.isdigit()) or len(micros) > 17 or len(task_id) > 10:
            return None
        return _EPOCH + int(micros) * _MICROSECOND, int(task_id)
    if sort is Sort.due:
        return _decode_due(value)
    prefix = "p" if sort is Sort.priority else "m"
    if not value.startswith(prefix):
        return None
    head, _, task_id = value[1:].partition("_")
    rank = None
    if sort is Sort.priority:
        rank_text, _, head = head.partition(".")
        rank = _int(rank_text, 1)
        if rank is None or not 0 <= rank <= 2:
            return None
    position, number = _int(head, 19), _int(task_id, 10)
    if position is None or number is None or number < 0:
        return None
    # Past every rank a task can have: the same page as from the last one there is.
    position = min(max(position, -(2**63)), 2**63 - 1)
    return (position, number) if rank is None else (rank, position, number)


def _decode_due(value: str) -> tuple | None:
    micros, _, task_id = value[1:].partition("_") if value.startswith("d") else ("", "", "")
    number, offset = _int(task_id, 10), _int(micros, 18)
    if number is None or offset is None or number < 0:
        return None
    try:
        return _EPOCH + offset * _MICROSECOND, number
    except OverflowError:
        return None


Shape = tuple[bool, bool, bool, bool, bool, bool, bool]


@dataclass(frozen=True)
class TaskFilter:
    """Which of a user's tasks a view shows; the same rules for the page and the API."""

    completed: bool | None = None
    priority: Priority | None = None
    search: str | None = None
    project_id: int | None = None
    label: str | None = None  # a label's name, whatever its case
    due: DueRange | None = None  # Today (with overdue) or Upcoming, in the user's zone
    updated_since: datetime | None = None  # changed at or after (inclusive: see the API)

    def scope(self) -> "TaskFilter":
        """The same tasks whatever their status: what a view's counts are counted over."""
        return replace(self, completed=None)

    @property
    def shape(self) -> Shape:
        """Which conditions this filter has: a compiled query is kept per shape."""
        return (
            self.completed is not None,
            self.priority is not None,
            bool(self.search),
            self.project_id is not None,
            bool(self.label),
            self.due is not None,
            self.updated_since is not None,
        )

    def values(self) -> dict[str, object]:
        """The values of `bound_conditions(self.shape)`'s parameters."""
        return {
            "completed": self.completed,
            "priority": self.priority.value if self.priority is not None else None,
            "pattern": f"%{_escape_like(self.search)}%" if self.search else None,
            "project_id": self.project_id,
            "label": self.label or None,
            "updated_since": self.updated_since,
        } | due_values("due", self.due)

    @staticmethod
    def bound_conditions(
        shape: Shape, values: dict[str, Any] | None = None
    ) -> list[ColumnElement[bool]]:
        """The conditions of a filter of `shape`, with named parameters in place of values
        (and `user_id`, which every query of a user's tasks has anyway), or with `values`
        bound to them."""

        def param(name: str, **kw: Any) -> Any:
            return bindparam(name, **kw) if values is None else bindparam(name, values[name], **kw)

        has_status, has_priority, has_search, has_project, has_label, has_due, has_since = shape
        found: list[ColumnElement[bool]] = []
        if has_status:
            found.append(TASKS.c.completed == param("completed"))
        if has_priority:
            found.append(TASKS.c.priority == param("priority"))
        if has_search:
            found.append(TASKS.c.search_text.like(func.lower(param("pattern")), escape="\\"))
        if has_project:
            found.append(TASKS.c.project_id == param("project_id"))
        if has_label:
            # Tasks hold their labels as the labels table spells them: "work" finds "Work".
            spelled = (
                select(LABELS.c.name)
                .where(
                    LABELS.c.user_id == param("user_id"),
                    func.lower(LABELS.c.name) == func.lower(param("label", type_=String)),
                )
                .scalar_subquery()
            )
            found.append(TASKS.c.labels.contains(array([spelled])))
        if has_due:
            found.append(due_condition("due", param))
        if has_since:
            since = param("updated_since", type_=TASKS.c.updated_at.type)
            found.append(TASKS.c.updated_at >= since)
        return found

    def conditions(self, user_id: int) -> list[ColumnElement[bool]]:
        """`bound_conditions` with this filter's values in place (for a one-off statement)."""
        return TaskFilter.bound_conditions(self.shape, self.values() | {"user_id": user_id})

    def matches(self, task: Any) -> bool:
        """Would `task` be listed? (The same rules as `conditions`, in Python.)"""
        if self.completed is not None and task.completed != self.completed:
            return False
        if self.priority is not None and task.priority != self.priority:
            return False
        if self.project_id is not None and task.project_id != self.project_id:
            return False
        if self.label and self.label.casefold() not in {n.casefold() for n in task.labels}:
            return False
        if self.due is not None and not self.due.matches(task):
            return False
        if self.updated_since is not None and task.updated_at < self.updated_since:
            return False
        if self.search:
            haystack = f"{task.title}\n{task.description or ''}".casefold()
            return self.search.casefold() in haystack
        return True


_DUE_TYPES = {"d0": TASKS.c.due_date.type, "d1": TASKS.c.due_date.type}


def due_values(prefix: str, due: DueRange | None) -> dict[str, Any]:
    """The parameters of due_condition(prefix) for `due` (None each when there is none)."""
    bounds = (
        due.bounds() if due is not None else dict.fromkeys(("d0", "d1", "m0", "m1", "k0", "k1"))
    )
    return {f"{prefix}_{name}": value for name, value in bounds.items()}


def due_condition(prefix: str, param: Any = bindparam) -> ColumnElement[bool]:
    """Due within a DueRange: its days for a date-only task, the moments they span in the
    user's zone for a timed one. The range on DUE_KEY is implied by the rest; it is there
    so the (user_id, due key) index can serve it."""
    moment = DateTime(timezone=True)

    def p(name: str) -> Any:
        return param(f"{prefix}_{name}", type_=_DUE_TYPES.get(name, moment))

    days = TASKS.c.due_date.between(p("d0"), p("d1"))
    moments = (TASKS.c.due_at >= p("m0")) & (TASKS.c.due_at < p("m1"))
    return (DUE_KEY >= p("k0")) & (DUE_KEY < p("k1")) & (days | moments)


@dataclass(frozen=True)
class Page:
    tasks: list[Any]
    next_cursor: str  # "" on the last page


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
