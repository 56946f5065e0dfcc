"""Projects and labels: how a user organises their tasks.

Every task is in exactly one project (tasks.project_id); each user has one Inbox
(`is_inbox`), made with the account, which cannot be renamed or deleted. Labels are
per user and many per task; a task keeps the names of its labels itself
(tasks.labels), so a row, an undo snapshot and an export need no join, and this
table holds each name once (whatever its case) with its colour.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field

INBOX = "Inbox"
# Label colours: names, not CSS, so a theme decides what each looks like.
COLORS = ("grey", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink")


class Project(SQLModel, table=True):
    __tablename__ = "projects"
    __table_args__ = (
        # Names are unique per user whatever their case ("#work" finds "Work").
        sa.Index("uq_projects_user_name", "user_id", sa.text("lower(name)"), unique=True),
        sa.Index("uq_projects_user_inbox", "user_id", unique=True, postgresql_where="is_inbox"),
        # What tasks.project_id references together with user_id: a task's project is
        # always its own user's, by the database's own check.
        sa.UniqueConstraint("user_id", "id", name="uq_projects_user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str = Field(max_length=100)
    is_inbox: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    archived: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # The sidebar's order (gapped ranks, like tasks.position).
    position: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )
    # Bumped on every change, as tasks.version: what an If-Match pins a change to.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Label(SQLModel, table=True):
    __tablename__ = "labels"
    __table_args__ = (
        sa.Index("uq_labels_user_name", "user_id", sa.text("lower(name)"), unique=True),
        sa.CheckConstraint(
            "color IN (" + ", ".join(f"'{c}'" for c in COLORS) + ")", name="ck_labels_color"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str = Field(max_length=60)
    color: str = Field(default="grey", max_length=10, sa_column_kwargs={"server_default": "grey"})
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})  # as Project's
    created_at: datetime = timestamp_field()
