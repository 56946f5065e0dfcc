"""Shared column helpers for the tables."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field

# Ids are PostgreSQL integers: a larger number names no row and must not reach the driver.
MAX_ID = 2**31 - 1


def valid_id(value: int) -> bool:
    """Could `value` name a row? Anything else names none and never reaches the database."""
    return 1 <= value <= MAX_ID


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp_field(*, nullable: bool = False, default_now: bool = True):  # noqa: ANN201
    """A timezone-aware (timestamptz) column, defaulting to now in UTC."""
    return Field(
        default_factory=utcnow if default_now else None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()} if default_now else {},
        nullable=nullable,
    )
