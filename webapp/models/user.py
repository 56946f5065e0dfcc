from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field


class User(SQLModel, table=True):
    __tablename__ = "users"
    # Emails are unique whatever their case: the index is on lower(email).
    __table_args__ = (sa.Index("uq_users_email_lower", sa.text("lower(email)"), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    password_hash: str = Field(max_length=255)
    created_at: datetime = timestamp_field()
    # Bumped by the database on every change to the user's tasks, projects or labels
    # (triggers of migration 0010, which also NOTIFY): what a live page compares.
    tasks_version: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )


@dataclass(frozen=True)
class Account:
    """The signed-in user as a request knows it: read once with its session or token,
    never written back (a change to the user goes through UserService)."""

    id: int
    email: str
    # The user's tasks_version when the session was read: a page shows the tasks as of
    # this version or later, so its live stream can start from here (webapp/web/events.py).
    tasks_version: int = 0
