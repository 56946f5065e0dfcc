"""Project and label versions: what an If-Match on one of them pins a change to.

Like tasks.version, bumped by every change to the row, so the API can give one project
or label a strong ETag ("<id>-<version>") and refuse a change made against an older one
(412) instead of letting two scripts overwrite each other's renames. Existing rows start
at 1; a constant default makes ADD COLUMN a catalogue change, not a table rewrite.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-16
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("projects", "labels")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "version")
