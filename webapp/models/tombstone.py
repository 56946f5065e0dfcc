"""What a sync script needs to learn that a task is gone: its id, uid and when it went.

A deleted row leaves nothing to list, so every delete of tasks also writes one of these
in the same statement (webapp.services.task_sync). They are kept for TOMBSTONE_RETENTION
only: a script that has not synced for longer must read everything again, as the API
says with a 410.
"""

from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field

TOMBSTONE_RETENTION = timedelta(days=30)


class TaskTombstone(SQLModel, table=True):
    __tablename__ = "task_tombstones"
    # The deletions list pages by (deleted_at, task_id) for one user.
    __table_args__ = (
        sa.Index("ix_task_tombstones_user_deleted", "user_id", "deleted_at", "task_id"),
    )

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    # No foreign key: the task is gone. A task restored by Undo loses its tombstone.
    task_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    uid: UUID
    deleted_at: datetime = timestamp_field()
