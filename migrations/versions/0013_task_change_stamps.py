"""A task's updated_at is stamped by the database: the start of the writing transaction.

A sync script asks for `updated_since` a time, so a change must never become visible
with a stamp older than one a reader has already been told it may start from. With
stamps from each app process's clock, taken before a commit that may come seconds later
(an import), that could happen. Stamped here with now(), the writer's transaction start,
a change not yet committed is always stamped at or after the start of a transaction
still open, which the list answers take into account (webapp.services.task_sync's
sync_since). No code path can forget it: inserts (imports and Undo included, so a task
brought back is news to a sync script) are stamped, and so is every update that moves
updated_at at all; an update that keeps it (a toggle to the state the task already has)
keeps it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMP = """
CREATE FUNCTION stamp_task_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.execute(STAMP)
    op.execute(
        "CREATE TRIGGER tasks_stamp BEFORE INSERT OR UPDATE ON tasks "
        "FOR EACH ROW EXECUTE FUNCTION stamp_task_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER tasks_stamp ON tasks")
    op.execute("DROP FUNCTION stamp_task_change()")
