"""A stable uid per task, for export and import; imports waiting for their confirmation.

`uid` is filled in for every existing row by the column default (gen_random_uuid() is
volatile, so PostgreSQL computes it per row while it rewrites the table). A pending import
holds the validated tasks of an uploaded file between its preview and its confirmation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tasks",
        sa.Column("uid", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
    )
    op.create_unique_constraint("uq_tasks_user_uid", "tasks", ["user_id", "uid"])
    op.create_table(
        "pending_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_pending_imports_user_id", "pending_imports", ["user_id"])
    op.create_index("ix_pending_imports_created_at", "pending_imports", ["created_at"])


def downgrade() -> None:
    op.drop_table("pending_imports")
    op.drop_constraint("uq_tasks_user_uid", "tasks", type_="unique")
    op.drop_column("tasks", "uid")
