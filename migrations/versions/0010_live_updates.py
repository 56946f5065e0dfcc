"""Live updates: users.tasks_version, bumped and announced by the database itself.

Every statement that writes a user's tasks, projects or labels bumps that user's
`tasks_version` and sends `pg_notify('tasks_changed', '{"u": id, "v": version}')` in
the same transaction, so a rollback announces nothing and no code path (service,
import, undo, admin, a hand-written UPDATE) can forget to. The triggers are
statement-level with transition tables: a bulk action over 500 tasks updates the
users row once, not 500 times. The payload is a few bytes, never task text.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("tasks", "projects", "labels")
CHANNEL = "tasks_changed"  # webapp.live.bus.CHANNEL

BUMP = f"""
CREATE FUNCTION bump_tasks_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bumped record;
BEGIN
    -- "changed" is the statement's transition table (new rows, or old ones for DELETE).
    -- A user deleted in this very statement (a cascade) has no row left to bump.
    FOR bumped IN
        UPDATE users SET tasks_version = tasks_version + 1
        WHERE id IN (SELECT DISTINCT user_id FROM changed)
        RETURNING id, tasks_version
    LOOP
        PERFORM pg_notify(
            '{CHANNEL}', json_build_object('u', bumped.id, 'v', bumped.tasks_version)::text
        );
    END LOOP;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("tasks_version", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.execute(BUMP)
    # One trigger per event: a trigger with transition tables may have only one.
    for table in TABLES:
        for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_bump AFTER {event} ON {table} "
                f"REFERENCING {rows} TABLE AS changed "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_tasks_version()"
            )


def downgrade() -> None:
    for table in TABLES:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_{event}_bump ON {table}")
    op.execute("DROP FUNCTION bump_tasks_version()")
    op.drop_column("users", "tasks_version")
