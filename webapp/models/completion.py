"""The log of completions of repeating tasks.

Completing a repeating task does not complete it: the same task moves on to its next
due (services/task_repeat.py). What was done, and when, is kept here, so the history is
not lost and an undo can take the entry back out.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field


class TaskCompletion(SQLModel, table=True):
    __tablename__ = "task_completions"
    __table_args__ = (sa.Index("ix_task_completions_user_task", "user_id", "task_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    # No foreign key: the log outlives a deleted task (and its undo brings the id back).
    task_id: int
    # The due that was completed: one of the two, as on the task.
    due_date: date | None = None
    due_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    completed_at: datetime = timestamp_field()
