"""Live updates: users.tasks_version, bumped and announced by the database itself.

Every transaction that writes a user's tasks, projects or labels bumps that user's
`tasks_version` once and sends `pg_notify('tasks_changed', '{"u": id, "v": version}')`
as it commits, so a rollback announces nothing and no code path (service, import, undo,
admin, a hand-written UPDATE) can forget to. The payload is a few bytes, never task text.

The triggers are deferred to commit (constraint triggers): an open transaction holds no
lock on its user's row, so two writers of one user never wait on each other longer
than a commit, whatever either does before committing. Deferred triggers are per row;
a transaction-local flag makes every row after the first a quick no-op, so a bulk action
over 500 tasks still updates the users row once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("tasks", "projects", "labels")
CHANNEL = "tasks_changed"  # webapp.live.bus.CHANNEL

BUMP = f"""
CREATE FUNCTION bump_tasks_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    uid integer;
    flag text;
    version bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN uid := OLD.user_id; ELSE uid := NEW.user_id; END IF;
    -- Once per user and transaction: the other rows of a bulk action find it done.
    flag := 'tasks_live.bumped_' || uid;
    IF current_setting(flag, true) = 'y' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config(flag, 'y', true);
    -- A user deleted in this transaction (the rows went by cascade) has no row to bump.
    UPDATE users SET tasks_version = tasks_version + 1 WHERE id = uid
    RETURNING tasks_version INTO version;
    IF FOUND THEN
        PERFORM pg_notify('{CHANNEL}', json_build_object('u', uid, 'v', version)::text);
    END IF;
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
    for table in TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_bump AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_tasks_version()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_bump ON {table}")
    op.execute("DROP FUNCTION bump_tasks_version()")
    op.drop_column("users", "tasks_version")
