"""The undo log behind TaskService: what a delete or a bulk change can put back.

A delete stores the rows it removed (as JSON, every column: a column added later is
kept without a change here); "mark complete" stores the (id, version) each task
reached. Both are written by TaskService in the same statement as the change.
An entry is consumed when used and ignored once older than UNDO_WINDOW, so an
Undo works once, for a limited time, and never brings back a version older
than the one that was deleted last.
"""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.base import utcnow, valid_id
from webapp.models.project import Project
from webapp.models.task import Task
from webapp.models.undo import UndoEntry

UNDO_WINDOW = timedelta(minutes=10)
DELETE = "delete"
COMPLETE = "complete"
PROJECT = "project"  # a project deleted with its tasks: {"project": row, "tasks": [rows]}
REPEAT = "repeat"  # a repeating task moved on: its due and rule before (task_repeat.py)


def from_snapshot(row: dict[str, Any], table: sa.Table = Task.__table__) -> dict[str, Any]:
    """The column values of a snapshot, typed again for an INSERT.

    A column the snapshot lacks (added since it was written, as `uid` was) is left out,
    so PostgreSQL fills in its default: the rows of one entry all lack the same columns.
    """
    values = {}
    for column in table.columns:
        if column.computed is not None:  # PostgreSQL makes it again
            continue
        if column.name not in row and column.server_default is not None:
            continue
        value = row.get(column.name)
        if isinstance(value, str) and isinstance(column.type, sa.DateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, sa.Date):
            value = date.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, sa.Uuid):
            value = UUID(value)
        values[column.name] = value
    return values


def row_from_snapshot(row: dict[str, Any]) -> SimpleNamespace:
    """A snapshot read like a task row (task.title): what a delete reports back."""
    return SimpleNamespace(**from_snapshot(row))


async def restore_project(session: AsyncSession, user_id: int, row: dict[str, Any]) -> None:
    """Put a deleted project back, with its id; under another name if its own was taken
    meanwhile (by a project made since)."""
    values = from_snapshot(row, Project.__table__) | {"user_id": user_id, "updated_at": utcnow()}
    if "version" in values:  # moved on, as a restored task's: an If-Match from before fails
        values["version"] += 1
    projects = Project.__table__
    taken = await session.exec(
        sa.select(sa.func.lower(projects.c.name)).where(projects.c.user_id == user_id)
    )
    names = set(taken.scalars())
    name, number = values["name"], 1
    while name.lower() in names:
        number += 1
        name = f"{values['name'][:90]} ({number})"
    values["name"] = name
    await session.exec(pg_insert(projects).values(values).on_conflict_do_nothing())


async def take(session: AsyncSession, user_id: int, entry_id: int) -> UndoEntry | None:
    """Remove and return the user's live entry, or None (unknown, expired or used).

    DELETE ... RETURNING: two Undo clicks at once cannot both get it.
    """
    if not valid_id(entry_id):
        return None
    result = await session.exec(
        delete(UndoEntry)
        .where(
            col(UndoEntry.id) == entry_id,
            col(UndoEntry.user_id) == user_id,
            col(UndoEntry.created_at) > utcnow() - UNDO_WINDOW,
        )
        .returning(UndoEntry.kind, UndoEntry.payload)
    )
    row = result.first()
    return UndoEntry(id=entry_id, user_id=user_id, kind=row[0], payload=row[1]) if row else None


async def purge_expired(session: AsyncSession) -> int:
    result = await session.exec(
        delete(UndoEntry).where(col(UndoEntry.created_at) <= utcnow() - UNDO_WINDOW)
    )
    await session.commit()
    return result.rowcount
