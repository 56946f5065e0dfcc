"""Completing a repeating task: the same task moves on to its next due, and the
completion is logged; an undo puts the due (and the rule, whose COUNT may have gone
down) back and takes the log entry out again.

The next due comes from recurrence.next_due: from the due (max of due and today, so
missed occurrences are skipped rather than replayed) or from the moment of completion,
read in the user's zone. A series that is over (COUNT used up, UNTIL passed) completes
the task like any other.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update

from webapp.db import atomic
from webapp.models.base import utcnow
from webapp.models.completion import TaskCompletion
from webapp.models.task import Task
from webapp.models.undo import UndoEntry
from webapp.recurrence import first_occurrence, next_due
from webapp.services import task_undo
from webapp.services.due_dates import Clock

TASKS, UNDO, COMPLETIONS = Task.__table__, UndoEntry.__table__, TaskCompletion.__table__
COLUMNS = tuple(column for column in TASKS.columns if column.computed is None)


def _due_values(due: date | datetime | None) -> dict[str, Any]:
    if isinstance(due, datetime):
        return {"due_date": None, "due_at": due}
    return {"due_date": due, "due_at": None}


def next_changes(task: Any, clock: Clock, now: datetime) -> dict[str, Any]:
    """What completing repeating `task` at `now` changes: its next due (and the rule,
    whose COUNT goes down), or, when the series is over, done like any other task."""
    due = task.due_at or task.due_date or clock.today()
    following = next_due(
        task.recurrence,
        due=due,
        tz=clock.tz,
        repeat_from=task.repeat_from or "due",
        completed_at=now,
    )
    if following is None:
        return {"completed": True}
    return _due_values(following[0]) | {"recurrence": following[1]}


async def move_on(
    session: Any, user_id: int, task: Any, changes: dict[str, Any], now: datetime
) -> tuple[Any, dict[str, Any]] | None:
    """Apply next_changes and log the completion, inside the caller's transaction; (the
    task as it is now, what undo_advance needs to put it back), or None when the task
    changed meanwhile (another tab), which is left as that change left it."""
    updated = (
        await session.exec(
            update(TASKS)
            .where(
                TASKS.c.id == task.id,
                TASKS.c.user_id == user_id,
                TASKS.c.version == task.version,
            )
            .values(**changes, version=TASKS.c.version + 1, updated_at=now)
            .returning(*COLUMNS)
        )
    ).first()
    if updated is None:
        return None
    logged = await session.exec(
        insert(COMPLETIONS)
        .values(
            user_id=user_id,
            task_id=task.id,
            due_date=task.due_date,
            due_at=task.due_at,
            completed_at=now,
        )
        .returning(COMPLETIONS.c.id)
    )
    payload = {
        "task_id": task.id,
        "version": updated.version,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "recurrence": task.recurrence,
        "completion_id": logged.scalar_one(),
    }
    return updated, payload


async def advance(session: Any, user_id: int, task: Any, clock: Clock) -> tuple[Any, int | None]:
    """Log the completion of repeating `task` and move it to its next due, in one
    transaction; (the task as it is now, the undo entry's id). A task changed meanwhile
    (another tab) is left as that change left it: (None, None)."""
    now = utcnow()
    changes = next_changes(task, clock, now)
    async with atomic(session):
        moved = await move_on(session, user_id, task, changes, now)
        if moved is None:
            return None, None
        entry = await session.exec(
            insert(UNDO)
            .values(user_id=user_id, kind=task_undo.REPEAT, payload=moved[1], created_at=now)
            .returning(UNDO.c.id)
        )
        undo_id = entry.scalar_one()
    return moved[0], undo_id


async def undo_advance(session: Any, user_id: int, payload: dict[str, Any]) -> tuple[Any, ...]:
    """Put the due and rule back, if the task is as the completion left it; inside the
    caller's transaction (BulkChanges.undo)."""
    due_at = payload["due_at"]
    due_date = payload["due_date"]
    restored = (
        await session.exec(
            update(TASKS)
            .where(
                TASKS.c.id == payload["task_id"],
                TASKS.c.user_id == user_id,
                TASKS.c.version == payload["version"],
            )
            .values(
                due_date=date.fromisoformat(due_date) if due_date else None,
                due_at=datetime.fromisoformat(due_at) if due_at else None,
                recurrence=payload["recurrence"],
                completed=False,
                version=TASKS.c.version + 1,
                updated_at=utcnow(),
            )
            .returning(*COLUMNS)
        )
    ).all()
    if restored:
        await session.exec(
            delete(COMPLETIONS).where(
                COMPLETIONS.c.id == payload["completion_id"], COMPLETIONS.c.user_id == user_id
            )
        )
    return tuple(restored)


async def completions(session: Any, user_id: int, task_id: int) -> list[Any]:
    """The logged completions of one of the user's tasks, oldest first."""
    rows = await session.exec(
        select(COMPLETIONS)
        .where(COMPLETIONS.c.user_id == user_id, COMPLETIONS.c.task_id == task_id)
        .order_by(COMPLETIONS.c.completed_at, COMPLETIONS.c.id)
    )
    return list(rows.all())


DUE_FIELDS = ("due_date", "due_at", "recurrence", "repeat_from")


def starting_due(data: Any, clock: Clock) -> dict[str, Any]:
    """The due fields of a new task: a repeat given without a due starts on its first
    day from today; a repeat counts from its due unless told otherwise."""
    values = {name: getattr(data, name) for name in DUE_FIELDS}
    if values["recurrence"] is None:
        values["repeat_from"] = None
        return values
    values["repeat_from"] = values["repeat_from"] or "due"
    if values["due_date"] is None and values["due_at"] is None:
        values["due_date"] = first_occurrence(
            values["recurrence"], start=clock.today(), tz=clock.tz
        )
    return values


def due_changes(changes: dict[str, Any], clock: Clock) -> dict[str, Any]:
    """What a partial update does to the due fields besides those sent: setting a day
    clears the moment and the other way round (a task has one), a repeat given to an
    undated task starts on its first day from today, and no repeat means no repeat_from."""
    found: dict[str, Any] = {}
    if changes.get("due_date") is not None and "due_at" not in changes:
        found["due_at"] = None
    if changes.get("due_at") is not None and "due_date" not in changes:
        found["due_date"] = None
    if "recurrence" in changes:
        rule = changes["recurrence"]
        if rule is None:
            found["repeat_from"] = None
        else:
            if "repeat_from" not in changes or changes["repeat_from"] is None:
                found["repeat_from"] = func.coalesce(TASKS.c.repeat_from, "due")
            if "due_date" not in changes and "due_at" not in changes:
                undated = TASKS.c.due_date.is_(None) & TASKS.c.due_at.is_(None)
                first = first_occurrence(rule, start=clock.today(), tz=clock.tz)
                found["due_date"] = case((undated, first), else_=TASKS.c.due_date)
    return found
