"""Which of a user's tasks a view shows, and where a page of them starts.

The same filter serves the HTML list and the API, so the page, its counts and a
bulk action always agree on which tasks a view holds. Pages are keysets over
(created_at, id), newest first: a task added meanwhile never shifts a page.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, func
from sqlmodel import col

from webapp.models.base import MAX_ID
from webapp.models.task import Priority, Task

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


@dataclass(frozen=True)
class TaskFilter:
    """Which of a user's tasks a view shows; the same rules for the page and the API."""

    completed: bool | None = None
    priority: Priority | None = None
    search: str | None = None

    def scope(self) -> "TaskFilter":
        """The same tasks whatever their status: what a view's counts are counted over."""
        return replace(self, completed=None)

    @property
    def shape(self) -> tuple[bool, bool, bool]:
        """Which conditions this filter has: a compiled query is kept per shape."""
        return (self.completed is not None, self.priority is not None, bool(self.search))

    def values(self) -> dict[str, object]:
        """The values of `bound_conditions(self.shape)`'s parameters."""
        return {
            "completed": self.completed,
            "priority": self.priority.value if self.priority is not None else None,
            "pattern": f"%{_escape_like(self.search)}%" if self.search else None,
        }

    @staticmethod
    def bound_conditions(shape: tuple[bool, bool, bool]) -> list[ColumnElement[bool]]:
        """The conditions of a filter of `shape`, with named parameters in place of values."""
        has_status, has_priority, has_search = shape
        tasks = Task.__table__.c
        found: list[ColumnElement[bool]] = []
        if has_status:
            found.append(tasks.completed == bindparam("completed"))
        if has_priority:
            found.append(tasks.priority == bindparam("priority"))
        if has_search:
            found.append(tasks.search_text.like(func.lower(bindparam("pattern")), escape="\\"))
        return found

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.completed is not None:
            found.append(col(Task.completed).is_(self.completed))
        if self.priority is not None:
            found.append(col(Task.priority) == self.priority)
        if self.search:
            pattern = func.lower(f"%{_escape_like(self.search)}%")
            found.append(col(Task.search_text).like(pattern, escape="\\"))
        return found

    def matches(self, task: Task) -> bool:
        """Would `task` be listed? (The same rules as `conditions`, in Python.)"""
        if self.completed is not None and task.completed != self.completed:
            return False
        if self.priority is not None and task.priority != self.priority:
            return False
        if self.search:
            haystack = f"{task.title}\n{task.description or ''}".casefold()
            return self.search.casefold() in haystack
        return True


@dataclass(frozen=True)
class Page:
    tasks: list[Task]
    next_cursor: str  # "" on the last page


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
