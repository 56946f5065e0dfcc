"""Task tombstones and the updated-at index: what a sync script reads to catch up.

A deleted task leaves a tombstone (its id, uid and when) for the retention period, so
`GET /api/{user_id}/tasks/deleted?since=…` can list deletions; tasks get an index on
(user_id, updated_at, id) for `updated_since` and `sort=updated`, which also serves
the list's ETag (count, newest change, sum of versions) from the index alone.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_tombstones",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("uid", sa.Uuid(), nullable=False),
        sa.Column(
            "deleted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "task_id"),
    )
    op.create_index(
        "ix_task_tombstones_user_deleted",
        "task_tombstones",
        ["user_id", "deleted_at", "task_id"],
    )
    op.create_index(
        "ix_tasks_user_updated",
        "tasks",
        ["user_id", "updated_at", "id"],
        postgresql_include=["version"],
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_user_updated", table_name="tasks")
    op.drop_index("ix_task_tombstones_user_deleted", table_name="task_tombstones")
    op.drop_table("task_tombstones")
