from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field

# Written as PostgreSQL shows it back, so comparing models and migrations finds it equal.
SEARCH_TEXT = (
    "lower((((title)::text || ' '::text) || (COALESCE(description, ''::character varying))::text))"
)


# What the due order and the Today/Upcoming ranges compare: one timestamptz per task.
# A date-only task counts from its day's noon in UTC and an undated one from 'infinity'
# (last, and a plain value for a keyset cursor). Noon, not midnight: a timed task then
# sorts among the days it falls on in the user's zone, from UTC-12 to UTC+12 (at
# midnight, 20:00 in New York came after the next day's date-only tasks). The views widen
# their ranges by a day and decide the edges with the real columns (task_query.DueRange),
# so no user's zone has to be in an index. Written as PostgreSQL shows it back (see
# SEARCH_TEXT).
DUE_KEY_SQL = (
    "COALESCE(due_at, ((due_date + '12:00:00'::time without time zone) AT TIME ZONE "
    "'UTC'::text), 'infinity'::timestamp with time zone)"
)


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        sa.CheckConstraint("priority IN ('low', 'medium', 'high')", name="ck_tasks_priority"),
        # A task is due on a day or at a moment, never both (a day has no invented time).
        sa.CheckConstraint("due_date IS NULL OR due_at IS NULL", name="ck_tasks_one_due"),
        sa.CheckConstraint(
            "repeat_from IS NULL OR repeat_from IN ('due', 'completion')",
            name="ck_tasks_repeat_from",
        ),
        # The project is the user's own: the reference includes user_id. No cascade: a
        # project goes only once its tasks have moved or gone (ProjectService.delete).
        sa.ForeignKeyConstraint(
            ["user_id", "project_id"], ["projects.user_id", "projects.id"], name="fk_tasks_project"
        ),
        # Each list order, and the keyset pages over it: manual (position) for all tasks,
        # by status and by project; newest first. The included columns let the counts
        # (open tasks per project, a project's tasks by status) come from an index alone.
        sa.Index("ix_tasks_user_position", "user_id", "position", "id"),
        sa.Index(
            "ix_tasks_user_status_position",
            "user_id",
            "completed",
            "position",
            "id",
            postgresql_include=["project_id"],
        ),
        sa.Index(
            "ix_tasks_user_project_position",
            "user_id",
            "project_id",
            "position",
            "id",
            postgresql_include=["completed"],
        ),
        sa.Index(
            "ix_tasks_user_created", "user_id", sa.text("created_at DESC"), sa.text("id DESC")
        ),
        # Today, Upcoming and sort=due: the user's tasks by when they are due, a date-only
        # task at the noon of its day in UTC (DUE_KEY_SQL), undated ones last.
        sa.Index("ix_tasks_user_due", "user_id", sa.text(DUE_KEY_SQL), "id"),
        # What changed since a sync script last looked, in that order (`sort=updated`);
        # the version lets the list's ETag come from this index alone.
        sa.Index(
            "ix_tasks_user_updated",
            "user_id",
            "updated_at",
            "id",
            postgresql_include=["version"],
        ),
        # A label's tasks.
        sa.Index("ix_tasks_labels", "labels", postgresql_using="gin"),
        # One uid per task of a user: what an import matches on, so importing twice adds nothing.
        sa.UniqueConstraint("user_id", "uid", name="uq_tasks_user_uid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    project_id: int
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    completed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    priority: str = Field(
        default=Priority.medium.value,
        max_length=6,
        sa_column_kwargs={"server_default": Priority.medium.value},
    )
    # Manual order, smallest first: gapped ranks, so a move writes one row (task_order.py).
    position: int = Field(default=0, sa_type=sa.BigInteger)
    # The names of its labels, as the labels table spells them, sorted.
    labels: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(
            ARRAY(sa.String(60)),
            nullable=False,
            server_default=sa.text("'{}'::character varying[]"),
        ),
    )
    # When it is due: a day (`due_date`) or a moment (`due_at`), at most one of them.
    due_date: date | None = Field(default=None)
    due_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # An RRULE of the supported subset (webapp/recurrence), normalised; NULL: no repeat.
    recurrence: str | None = Field(default=None, sa_type=sa.Text)
    # Whether the next due counts from the due ("due") or the completion ("completion").
    repeat_from: str | None = Field(default=None, max_length=10)
    # Bumped on every change: stale edits (another tab, an old If-Match) are refused.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    # The task's stable identity across servers (export, import), unlike `id`, which is only
    # this database's. Made by PostgreSQL: no Python default, so an INSERT that leaves it out
    # (TaskService's compiled one) gets a fresh one, and an import or undo brings its own.
    uid: UUID | None = Field(
        default=None,
        nullable=False,
        sa_column_kwargs={"server_default": sa.text("gen_random_uuid()")},
    )
    # What a search compares: title and description lower-cased, kept by PostgreSQL.
    search_text: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.Text, sa.Computed(SEARCH_TEXT, persisted=True)),
        exclude=True,
    )
