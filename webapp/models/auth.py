"""Tables behind logins: browser sessions, API tokens and failed-login tracking.

Session ids and tokens are stored only as SHA-256 hashes: a copy of the
database does not let anyone in.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field


class UserSession(SQLModel, table=True):
    __tablename__ = "user_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    user_agent: str = Field(default="", max_length=300)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_field()
    last_used_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    expires_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    revoked_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )


class LoginAttempt(SQLModel, table=True):
    """One failed login (kind "login") or one registration (kind "register"), kept
    15 minutes-plus for the brute-force limits."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_email_at", "email", "attempted_at"),
        sa.Index("ix_login_attempts_client_at", "client", "attempted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    client: str = Field(max_length=64)
    kind: str = Field(default="login", max_length=16, sa_column_kwargs={"server_default": "login"})
    attempted_at: datetime = timestamp_field()
