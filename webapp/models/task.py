from datetime import datetime
from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field

# Written as PostgreSQL shows it back, so comparing models and migrations finds it equal.
SEARCH_TEXT = (
    "lower((((title)::text || ' '::text) || (COALESCE(description, ''::character varying))::text))"
)


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        sa.CheckConstraint("priority IN ('low', 'medium', 'high')", name="ck_tasks_priority"),
        # "This user's tasks, newest first", and the keyset pages over that order.
        sa.Index(
            "ix_tasks_user_created", "user_id", sa.text("created_at DESC"), sa.text("id DESC")
        ),
        # The Active and Completed views, and the counts of each (from the index alone).
        sa.Index(
            "ix_tasks_user_status_created",
            "user_id",
            "completed",
            sa.text("created_at DESC"),
            sa.text("id DESC"),
        ),
        # One uid per task of a user: what an import matches on, so importing twice adds nothing.
        sa.UniqueConstraint("user_id", "uid", name="uq_tasks_user_uid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200, index=True)
    description: str | None = Field(default=None, max_length=1000)
    completed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    priority: str = Field(
        default=Priority.medium.value,
        max_length=6,
        sa_column_kwargs={"server_default": Priority.medium.value},
    )
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
