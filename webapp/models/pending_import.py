"""An uploaded import between its preview and its confirmation.

The file is parsed and validated once, on upload; what passed is kept here (never in a
cookie or in process memory, so any app process can confirm it) until the user says yes,
for at most an hour (webapp.services.import_service). Confirming consumes the row.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from webapp.models.base import timestamp_field


class PendingImport(SQLModel, table=True):
    __tablename__ = "pending_imports"
    # For the purge of expired rows, which looks at their age alone.
    __table_args__ = (sa.Index("ix_pending_imports_created_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    # The validated tasks, each as webapp.services.task_import.ImportedTask dumps it to JSON.
    payload: list = Field(sa_type=JSONB)
    created_at: datetime = timestamp_field()
