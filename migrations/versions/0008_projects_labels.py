"""Projects, labels and a manual order: every task in a project, an Inbox per user.

Existing users get their Inbox and all their tasks go into it; the manual order
starts as the list was shown (newest first). Tasks reference their project with
(user_id, project_id), so no task can be in another user's project. The single
user_id and title indexes go: every list index begins with user_id, and no query
looks a title up.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GAP = 2**32  # webapp.services.task_order.GAP
COLORS = ("grey", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_inbox", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("position", sa.BigInteger(), server_default="0", nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "id", name="uq_projects_user_id"),
    )
    op.create_index(
        "uq_projects_user_name", "projects", ["user_id", sa.text("lower(name)")], unique=True
    )
    op.create_index(
        "uq_projects_user_inbox",
        "projects",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("is_inbox"),
    )
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("color", sa.String(length=10), server_default="grey", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "color IN (" + ", ".join(f"'{c}'" for c in COLORS) + ")", name="ck_labels_color"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_labels_user_name", "labels", ["user_id", sa.text("lower(name)")], unique=True
    )
    op.execute(
        "INSERT INTO projects (user_id, name, is_inbox, position) "
        "SELECT id, 'Inbox', true, 0 FROM users"
    )

    op.add_column("tasks", sa.Column("project_id", sa.Integer(), nullable=True))
    op.add_column("tasks", sa.Column("position", sa.BigInteger(), nullable=True))
    op.add_column(
        "tasks",
        sa.Column(
            "labels",
            ARRAY(sa.String(length=60)),
            server_default=sa.text("'{}'::character varying[]"),
            nullable=False,
        ),
    )
    op.execute(
        f"""
        UPDATE tasks SET project_id = p.id, position = o.rank * {GAP}
        FROM projects p,
             (SELECT id, row_number() OVER (
                 PARTITION BY user_id ORDER BY created_at DESC, id DESC) AS rank
              FROM tasks) o
        WHERE p.user_id = tasks.user_id AND p.is_inbox AND o.id = tasks.id
        """
    )
    op.alter_column("tasks", "project_id", nullable=False)
    op.alter_column("tasks", "position", nullable=False)
    op.create_foreign_key(
        "fk_tasks_project", "tasks", "projects", ["user_id", "project_id"], ["user_id", "id"]
    )
    op.drop_index("ix_tasks_user_status_created", table_name="tasks")
    op.drop_index("ix_tasks_title", table_name="tasks")
    op.drop_index("ix_tasks_user_id", table_name="tasks")
    op.create_index("ix_tasks_user_position", "tasks", ["user_id", "position", "id"])
    op.create_index(
        "ix_tasks_user_status_position",
        "tasks",
        ["user_id", "completed", "position", "id"],
        postgresql_include=["project_id"],
    )
    op.create_index(
        "ix_tasks_user_project_position",
        "tasks",
        ["user_id", "project_id", "position", "id"],
        postgresql_include=["completed"],
    )
    op.create_index("ix_tasks_labels", "tasks", ["labels"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_tasks_labels", table_name="tasks")
    op.drop_index("ix_tasks_user_project_position", table_name="tasks")
    op.drop_index("ix_tasks_user_status_position", table_name="tasks")
    op.drop_index("ix_tasks_user_position", table_name="tasks")
    op.create_index("ix_tasks_user_id", "tasks", ["user_id"])
    op.create_index("ix_tasks_title", "tasks", ["title"])
    op.create_index(
        "ix_tasks_user_status_created",
        "tasks",
        ["user_id", "completed", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    op.drop_constraint("fk_tasks_project", "tasks", type_="foreignkey")
    op.drop_column("tasks", "labels")
    op.drop_column("tasks", "position")
    op.drop_column("tasks", "project_id")
    op.drop_table("labels")
    op.drop_table("projects")
