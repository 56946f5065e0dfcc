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


@dataclass(frozen=True)
class Account:
    """The signed-in user as a request knows it: read once with its session or token,
    never written back (a change to the user goes through UserService)."""

    id: int
    email: str
