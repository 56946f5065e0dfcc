"""Settings → Export: every task of one user, as JSON (what an import reads back) or CSV.

The export format is this module's: `{"format": "tasks-export", "version": 2,
"exported_at": ..., "tasks": [...]}`, one task per line, with the fields of FIELDS.
Version 2 added the due fields (due_date, due_at, recurrence, repeat_from); an import
still reads version 1, whose tasks are undated.
A task is named by its `uid`, never by this database's id, so the file can go to
another server (or back to this one after the account was deleted).

Streamed: the user's tasks are read in keyset batches of BATCH_SIZE, oldest first,
and each batch is written out before the next is read, so an account of 100,000
tasks never sits in memory at once. Each batch is its own autocommit read (no
transaction held open while a slow client downloads): a task added or deleted
meanwhile may or may not be in the file, but none is in it twice.
"""

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, tuple_
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query, Record
from webapp.models.base import utcnow
from webapp.models.project import Project
from webapp.models.task import Task

FORMAT = "tasks-export"
VERSION = 2
# Every stored field of a task but this database's own bookkeeping (id, user_id, version);
# its project by name (an import finds or makes the project of that name).
FIELDS = (
    "uid",
    "title",
    "description",
    "priority",
    "completed",
    "project",
    "labels",
    "position",
    "created_at",
    "updated_at",
    "due_date",
    "due_at",
    "recurrence",
    "repeat_from",
)
BATCH_SIZE = 1000

TASKS, PROJECTS = Task.__table__, Project.__table__


@cache
def _batch_query(keyset: bool) -> Query:
    """The user's next `limit` tasks after (after_at, after_id), oldest first: the
    (user_id, created_at, id) index read backwards, stopping after `limit` rows."""
    columns = [TASKS.c[name] for name in FIELDS if name != "project"]
    query = (
        select(*columns, PROJECTS.c.name.label("project"), TASKS.c.id)
        .select_from(
            TASKS.join(
                PROJECTS,
                (PROJECTS.c.id == TASKS.c.project_id) & (PROJECTS.c.user_id == TASKS.c.user_id),
            )
        )
        .where(TASKS.c.user_id == bindparam("user_id"))
    )
    if keyset:
        after = tuple_(
            bindparam("after_at", type_=TASKS.c.created_at.type),
            bindparam("after_id", type_=TASKS.c.id.type),
        )
        query = query.where(tuple_(TASKS.c.created_at, TASKS.c.id) > after)
    order = query.order_by(TASKS.c.created_at, TASKS.c.id)
    return Query(order.limit(bindparam("limit")))


def task_fields(row: Any) -> dict[str, Any]:
    """One task as the export writes it: JSON types, times in ISO 8601 with their offset."""
    return {
        "uid": str(row.uid),
        "title": row.title,
        "description": row.description,
        "priority": row.priority,
        "completed": row.completed,
        "project": row.project,
        "labels": sorted(row.labels, key=str.casefold),
        "position": row.position,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "due_date": _iso(row.due_date),
        "due_at": _iso(row.due_at),
        "recurrence": row.recurrence,
        "repeat_from": row.repeat_from,
    }


def _iso(value: date | datetime | None) -> str | None:
    # A moment keeps the offset PostgreSQL gave it (UTC): the reader's zone is theirs.
    return None if value is None else value.isoformat()


@dataclass
class Export:
    """One user's export, its first batch already read (see `start_export`)."""

    session: AsyncSession
    user_id: int
    first: Sequence[Record]
    exported_at: datetime
    batch_size: int = BATCH_SIZE

    async def batches(self) -> AsyncIterator[Sequence[Record]]:
        rows = self.first
        while rows:
            yield rows
            if len(rows) < self.batch_size:
                return
            last = rows[-1]
            rows = await _batch_query(True).fetch(
                self.session,
                user_id=self.user_id,
                after_at=last.created_at,
                after_id=last.id,
                limit=self.batch_size,
            )

    async def json_chunks(self) -> AsyncIterator[bytes]:
        """The JSON document, one chunk per batch: a header, the tasks, the closing brackets."""
        header = {"format": FORMAT, "version": VERSION, "exported_at": self.exported_at.isoformat()}
        yield (json.dumps(header)[:-1] + ', "tasks": [').encode()
        separator = "\n"
        async for rows in self.batches():
            lines = ",\n".join(json.dumps(task_fields(row), ensure_ascii=False) for row in rows)
            yield (separator + lines).encode()
            separator = ",\n"
        yield b"\n]}\n"

    async def csv_chunks(self) -> AsyncIterator[bytes]:
        """A header row of FIELDS, then one row per task (an empty cell for no description,
        due or repeat)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(FIELDS)
        yield buffer.getvalue().encode()
        async for rows in self.batches():
            buffer.seek(0)
            buffer.truncate()
            for row in rows:
                fields = task_fields(row)
                fields["completed"] = "true" if row.completed else "false"
                fields["labels"] = ", ".join(fields["labels"])
                writer.writerow(fields[name] for name in FIELDS)
            yield buffer.getvalue().encode()


async def start_export(
    session: AsyncSession, user_id: int, *, batch_size: int = BATCH_SIZE
) -> Export:
    """Read the first batch now, so a failing database is an error page, not a cut-off file
    (once streaming has begun, the status line has been sent)."""
    first = await _batch_query(False).fetch(session, user_id=user_id, limit=batch_size)
    return Export(session, user_id, first, utcnow(), batch_size)
