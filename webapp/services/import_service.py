"""Importing tasks: a preview that writes nothing of the user's, then a confirmation that
writes all of it or nothing.

The validated tasks (task_import) wait in `pending_imports` between the two steps, for
at most PENDING_LIFETIME; each user has at most one waiting (a new preview replaces the
last), so an upload left unconfirmed costs one row until it expires. Every query names
the user, so someone else's pending id finds nothing.

Confirming is one transaction: the pending row is locked, its tasks are inserted straight
from its JSON by PostgreSQL (no round trip per task, no limit on bound parameters), with
ON CONFLICT (user_id, uid) DO NOTHING, so a task already in the account (the same file
imported twice, or a task that survived a restore) is kept as it is, not duplicated;
then the row is deleted, so a second confirmation of it finds nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import atomic
from webapp.models.base import utcnow, valid_id
from webapp.models.pending_import import PendingImport
from webapp.models.project import Label, Project
from webapp.models.task import Task
from webapp.services.task_import import ImportedTask, tasks_json
from webapp.services.task_order import GAP

PENDING_LIFETIME = timedelta(hours=1)
NO_LABELS = sa.literal_column("'{}'::varchar[]")
SAMPLE_SIZE = 5

TASKS, PROJECTS, LABELS = Task.__table__, Project.__table__, Label.__table__
PENDING = PendingImport.__table__


@dataclass(frozen=True)
class Preview:
    """What confirming would do. `pending_id` is None when there is nothing to add."""

    pending_id: int | None
    total: int
    existing: int
    sample: tuple[ImportedTask, ...]

    @property
    def new(self) -> int:
        return self.total - self.existing


def _live(user_id: int, pending_id: int) -> tuple:
    return (
        PENDING.c.id == pending_id,
        PENDING.c.user_id == user_id,
        PENDING.c.created_at > utcnow() - PENDING_LIFETIME,
    )


def _items(user_id: int, pending_id: int) -> tuple[Any, Any]:
    """The pending row's tasks as rows (`item`, its JSON; `n`, its place in the file),
    and the FROM and WHERE that read them."""
    items = (
        func.jsonb_array_elements(PENDING.c.payload)
        .table_valued(sa.column("item", JSONB), with_ordinality="n")
        .render_derived("items")
    )
    source = select().where(PENDING.c.id == pending_id, PENDING.c.user_id == user_id)
    return items, source.select_from(PENDING.join(items, sa.true()))


def _insert_projects(user_id: int, pending_id: int) -> sa.Insert:
    """The projects the tasks name that the user lacks, after theirs, in the file's order
    (the Inbox, and any name they have whatever its case, is theirs already)."""
    items, source = _items(user_id, pending_id)
    name = items.c.item["project"].astext
    named = (
        source.add_columns(name.label("name"), items.c.n)
        .where(name.is_not(None))
        .ext(distinct_on(func.lower(name)))
        .order_by(func.lower(name), items.c.n)
        .subquery()
    )
    last = (
        select(func.coalesce(func.max(PROJECTS.c.position), 0))
        .where(PROJECTS.c.user_id == user_id)
        .scalar_subquery()
    )
    rank = func.row_number().over(order_by=named.c.n)
    rows = select(literal(user_id), named.c.name, last + rank * GAP, literal(utcnow()))
    return (
        pg_insert(PROJECTS)
        .from_select(["user_id", "name", "position", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=[PROJECTS.c.user_id, func.lower(PROJECTS.c.name)])
    )


def _insert_labels(user_id: int, pending_id: int) -> sa.Insert:
    """The labels the tasks name that the user lacks."""
    items = (
        func.jsonb_array_elements(PENDING.c.payload)
        .table_valued(sa.column("item", JSONB))
        .render_derived("items")
    )
    label = func.jsonb_array_elements_text(items.c.item["labels"]).table_valued("value")
    rows = (
        select(literal(user_id), label.c.value, literal(utcnow()))
        .select_from(PENDING.join(items, sa.true()).join(label, sa.true()))
        .where(
            PENDING.c.id == pending_id,
            PENDING.c.user_id == user_id,
            func.jsonb_typeof(items.c.item["labels"]) == "array",
        )
        .ext(distinct_on(func.lower(label.c.value)))
        .order_by(func.lower(label.c.value))
    )
    return (
        pg_insert(LABELS)
        .from_select(["user_id", "name", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=[LABELS.c.user_id, func.lower(LABELS.c.name)])
    )


def _insert_from_payload(user_id: int, pending_id: int) -> sa.Insert:
    """INSERT the pending row's tasks, in the file's order; those already there are skipped.
    Each goes into its project (by name; else the Inbox) with its labels as the user's
    labels spell them."""
    items, source = _items(user_id, pending_id)
    item = items.c.item
    now = literal(utcnow())
    created = func.coalesce(sa.cast(item["created_at"].astext, TASKS.c.created_at.type), now)
    inbox = (
        select(PROJECTS.c.id)
        .where(PROJECTS.c.user_id == user_id, PROJECTS.c.is_inbox)
        .scalar_subquery()
    )
    project = (
        select(PROJECTS.c.id)
        .where(
            PROJECTS.c.user_id == user_id,
            func.lower(PROJECTS.c.name) == func.lower(item["project"].astext),
        )
        .scalar_subquery()
    )
    named = func.jsonb_array_elements_text(item["labels"]).table_valued("value").alias("named")
    labels = (
        select(func.coalesce(func.array_agg(LABELS.c.name), NO_LABELS))
        .select_from(named)
        .join(LABELS, func.lower(LABELS.c.name) == func.lower(named.c.value))
        .where(LABELS.c.user_id == user_id)
        .scalar_subquery()
    )
    after_theirs = (
        select(func.coalesce(func.max(TASKS.c.position), 0))
        .where(TASKS.c.user_id == user_id)
        .scalar_subquery()
    )
    position = func.coalesce(
        sa.cast(item["position"].astext, sa.BigInteger), after_theirs + items.c.n * GAP
    )
    rows = source.add_columns(
        literal(user_id),
        sa.cast(item["uid"].astext, sa.Uuid),
        item["title"].astext,
        item["description"].astext,
        item["priority"].astext,
        sa.cast(item["completed"].astext, sa.Boolean),
        func.coalesce(project, inbox),
        sa.case(
            (func.jsonb_typeof(item["labels"]) == "array", labels),
            else_=NO_LABELS,
        ),
        position,
        created,
        func.coalesce(sa.cast(item["updated_at"].astext, TASKS.c.updated_at.type), created),
        sa.cast(item["due_date"].astext, TASKS.c.due_date.type),
        sa.cast(item["due_at"].astext, TASKS.c.due_at.type),
        item["recurrence"].astext,
        item["repeat_from"].astext,
    ).order_by(items.c.n)
    columns = ["user_id", "uid", "title", "description", "priority", "completed"]
    columns += ["project_id", "labels", "position", "created_at", "updated_at"]
    columns += ["due_date", "due_at", "recurrence", "repeat_from"]
    return (
        pg_insert(TASKS)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["user_id", "uid"])
    )


class ImportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def preview(self, user_id: int, tasks: list[ImportedTask]) -> Preview:
        """Count what is new, and keep the tasks for `confirm` when anything is."""
        uids = [task.uid for task in tasks]
        existing = (
            await self.session.exec(
                select(func.count()).where(
                    TASKS.c.user_id == user_id,
                    TASKS.c.uid == sa.any_(bindparam("uids", uids, type_=ARRAY(sa.Uuid))),
                )
            )
        ).scalar_one()
        sample = tuple(tasks[:SAMPLE_SIZE])
        if existing == len(tasks):
            return Preview(None, len(tasks), existing, sample)
        # Sent as text and parsed by PostgreSQL: an import of 20 MB is one string here.
        payload = sa.cast(bindparam("payload", tasks_json(tasks), type_=sa.Text), JSONB)
        # One statement: the user's earlier pending import goes as this one is stored.
        replaced = delete(PENDING).where(PENDING.c.user_id == user_id).cte("replaced")
        stored = (
            insert(PENDING)
            .values(user_id=user_id, payload=payload, created_at=utcnow())
            .returning(PENDING.c.id)
            .add_cte(replaced)
        )
        pending_id = (await self.session.exec(stored)).scalar_one()
        await self.session.commit()
        return Preview(pending_id, len(tasks), existing, sample)

    async def confirm(self, user_id: int, pending_id: int) -> int | None:
        """Import the pending tasks; how many were added, or None when there is no such
        pending import of this user (expired, already confirmed, or someone else's)."""
        if not valid_id(pending_id):
            return None
        async with atomic(self.session):
            # Locked: a second confirmation sent meanwhile waits here, then finds nothing.
            found = (
                await self.session.exec(
                    select(PENDING.c.id).where(*_live(user_id, pending_id)).with_for_update()
                )
            ).first()
            if found is None:
                return None
            await self.session.exec(_insert_projects(user_id, pending_id))
            await self.session.exec(_insert_labels(user_id, pending_id))
            added = (await self.session.exec(_insert_from_payload(user_id, pending_id))).rowcount
            await self.session.exec(
                delete(PENDING).where(PENDING.c.id == pending_id, PENDING.c.user_id == user_id)
            )
        return added


async def purge_expired(session: AsyncSession) -> int:
    """Housekeeping: drop every pending import past its hour (it reads nobody's data)."""
    result = await session.exec(
        delete(PENDING).where(PENDING.c.created_at <= utcnow() - PENDING_LIFETIME)
    )
    await session.commit()
    return result.rowcount
