from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field


class User(SQLModel, table=True):
    __tablename__ = "users"
    # Emails are unique whatever their case: the index is on lower(email).
    __table_args__ = (
        sa.Index("uq_users_email_lower", sa.text("lower(email)"), unique=True),
        sa.CheckConstraint("date_order IN ('DMY', 'MDY', 'YMD')", name="ck_users_date_order"),
        sa.UniqueConstraint("calendar_token", name="uq_users_calendar_token"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    password_hash: str = Field(max_length=255)
    created_at: datetime = timestamp_field()
    # The IANA zone that "today", "overdue", quick add and the calendar feed are read in.
    timezone: str = Field(default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"})
    # How a numeric date is read and written: 3/4 is 3 April (DMY) or 4 March (MDY).
    date_order: str = Field(default="DMY", max_length=3, sa_column_kwargs={"server_default": "DMY"})
    # The secret of the private calendar feed's address (/calendar/<token>.ics); NULL: off.
    # Kept as it is, not hashed, so Settings can show the address again: it grants reading
    # due tasks, nothing more, and a new one revokes the old.
    calendar_token: str | None = Field(default=None, max_length=64)
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
    timezone: str = "UTC"
    date_order: str = "DMY"
    # The user's tasks_version when the session or token was read: a page shows the tasks
    # as of this version or later, so its live stream can start from here
    # (webapp/web/events.py), and an API list's ETag is made from it (webapp/api/etags.py).
    tasks_version: int = 0
    # With a token: where a sync script's next read may start and miss nothing, read with
    # it, before any rows (webapp.services.task_sync's SYNC_SINCE; the Sync-Since header).
    sync_since: datetime | None = None
