"""Indexes for every list: by status, and trigram search where PostgreSQL has pg_trgm.

The trigram index makes a search of a user with many tasks an index scan instead of
a filter over all of them. pg_trgm and btree_gin are contrib extensions: Debian's
PostgreSQL ships them, the embedded server does not. Where they are missing the
search still uses the (user_id, created_at) index and reads only that user's rows.
The trigram index is not in the models (see migrations/env.py, OPTIONAL_INDEXES).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEX = "ix_tasks_search_trgm"


def _has_extensions(*names: str) -> bool:
    query = sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = ANY(:names)")
    return op.get_bind().execute(query, {"names": list(names)}).scalar() == len(names)


def upgrade() -> None:
    op.create_index(
        "ix_tasks_user_status_created",
        "tasks",
        ["user_id", "completed", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    if _has_extensions("pg_trgm", "btree_gin"):
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute(
            f"CREATE INDEX {TRIGRAM_INDEX} ON tasks USING gin "
            "(user_id, title gin_trgm_ops, description gin_trgm_ops)"
        )


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    op.drop_index("ix_tasks_user_status_created", table_name="tasks")
