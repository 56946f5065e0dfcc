"""What an Undo puts back: one row per undoable action (a delete, a bulk change).

The browser holds only a signed reference to a row here, so an Undo works for
any number of tasks, from any app process, and only once: restoring consumes
the row, so an old Undo can never bring back an older version of a task.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field


class UndoEntry(SQLModel, table=True):
    __tablename__ = "undo_entries"
    __table_args__ = (sa.Index("ix_undo_entries_user_created", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    # "delete": payload lists the deleted tasks' rows; "complete": [task id, version] pairs.
    kind: str = Field(max_length=16)
    payload: list = Field(sa_type=JSONB)
    created_at: datetime = timestamp_field()
