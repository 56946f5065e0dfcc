"""Registrations are counted beside failed logins: login_attempts.kind.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "login_attempts",
        sa.Column("kind", sa.String(length=16), server_default="login", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("login_attempts", "kind")
