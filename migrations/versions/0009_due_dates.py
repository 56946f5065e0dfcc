"""Due dates, repeats and the user's clock: what Today, Upcoming and quick add need.

Tasks gain a due day or moment (never both), a repeat rule and where it counts from;
users gain their zone and date order (existing users get UTC and day-month-year, what
the app showed before) and a calendar feed secret (off until made in Settings). An
index orders a user's tasks by due, and repeating tasks log each completion.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE_KEY_SQL = (  # webapp.models.task.DUE_KEY_SQL
    "COALESCE(due_at, (due_date::timestamp without time zone AT TIME ZONE 'UTC'::text), "
    "'infinity'::timestamp with time zone)"
)


def upgrade() -> None:
    op.add_column("tasks", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("tasks", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tasks", sa.Column("recurrence", sa.Text(), nullable=True))
    op.add_column("tasks", sa.Column("repeat_from", sa.String(length=10), nullable=True))
    op.create_check_constraint("ck_tasks_one_due", "tasks", "due_date IS NULL OR due_at IS NULL")
    op.create_check_constraint(
        "ck_tasks_repeat_from",
        "tasks",
        "repeat_from IS NULL OR repeat_from IN ('due', 'completion')",
    )
    op.create_index("ix_tasks_user_due", "tasks", ["user_id", sa.text(DUE_KEY_SQL), "id"])

    op.add_column(
        "users",
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
    )
    op.add_column(
        "users",
        sa.Column("date_order", sa.String(length=3), server_default="DMY", nullable=False),
    )
    op.add_column("users", sa.Column("calendar_token", sa.String(length=64), nullable=True))
    op.create_check_constraint(
        "ck_users_date_order", "users", "date_order IN ('DMY', 'MDY', 'YMD')"
    )
    op.create_unique_constraint("uq_users_calendar_token", "users", ["calendar_token"])

    op.create_table(
        "task_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "completed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_completions_user_task", "task_completions", ["user_id", "task_id"])


def downgrade() -> None:
    op.drop_index("ix_task_completions_user_task", table_name="task_completions")
    op.drop_table("task_completions")
    op.drop_constraint("uq_users_calendar_token", "users", type_="unique")
    op.drop_constraint("ck_users_date_order", "users", type_="check")
    op.drop_column("users", "calendar_token")
    op.drop_column("users", "date_order")
    op.drop_column("users", "timezone")
    op.drop_index("ix_tasks_user_due", table_name="tasks")
    op.drop_constraint("ck_tasks_repeat_from", "tasks", type_="check")
    op.drop_constraint("ck_tasks_one_due", "tasks", type_="check")
    op.drop_column("tasks", "repeat_from")
    op.drop_column("tasks", "recurrence")
    op.drop_column("tasks", "due_at")
    op.drop_column("tasks", "due_date")
