"""The due order counts a date-only task from its day's noon in UTC, not its midnight.

At midnight, a timed task in the evening west of UTC (20:00 in New York is 01:00 UTC
the next day) sorted after the next day's date-only tasks, so Upcoming could show
"Tomorrow" before "Today". At noon, a timed task sorts among the days it falls on in
the user's zone from UTC-12 to UTC+12. The index of the due order is rebuilt on the
new expression (webapp.models.task.DUE_KEY_SQL).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOON = (
    "COALESCE(due_at, ((due_date + '12:00:00'::time without time zone) AT TIME ZONE "
    "'UTC'::text), 'infinity'::timestamp with time zone)"
)
MIDNIGHT = (  # 0009's
    "COALESCE(due_at, (due_date::timestamp without time zone AT TIME ZONE 'UTC'::text), "
    "'infinity'::timestamp with time zone)"
)


def _index(expression: str) -> None:
    op.drop_index("ix_tasks_user_due", table_name="tasks")
    op.create_index("ix_tasks_user_due", "tasks", ["user_id", sa.text(expression), "id"])


def upgrade() -> None:
    _index(NOON)


def downgrade() -> None:
    _index(MIDNIGHT)
