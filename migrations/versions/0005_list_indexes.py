"""Indexes for every list: by status, and a search column, trigram-indexed where possible.

`search_text` is the task's title and description, lower-cased, kept by PostgreSQL (a
generated column): a search compares one column with LIKE, not two with ILIKE. Where
PostgreSQL has pg_trgm and btree_gin (Debian's does; the embedded server does not) a
trigram index makes a search of a user with many tasks an index scan; elsewhere the
search reads that user's rows through the (user_id, created_at) index. The trigram
index is not in the models (see webapp.models.OPTIONAL_INDEXES).

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
SEARCH_TEXT = (
    "lower((((title)::text || ' '::text) || (COALESCE(description, ''::character varying))::text))"
)


def _has_extensions(*names: str) -> bool:
    query = sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = ANY(:names)")
    return op.get_bind().execute(query, {"names": list(names)}).scalar() == len(names)


def upgrade() -> None:
    op.add_column(
        "tasks",
        sa.Column("search_text", sa.Text(), sa.Computed(SEARCH_TEXT, persisted=True)),
    )
    op.create_index(
        "ix_tasks_user_status_created",
        "tasks",
        ["user_id", "completed", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    if _has_extensions("pg_trgm", "btree_gin"):
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute(
            f"CREATE INDEX {TRIGRAM_INDEX} ON tasks USING gin (user_id, search_text gin_trgm_ops)"
        )


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    op.drop_index("ix_tasks_user_status_created", table_name="tasks")
    op.drop_column("tasks", "search_text")
