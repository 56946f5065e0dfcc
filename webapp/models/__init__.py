"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from webapp.models.auth import ApiToken, LoginAttempt, UserSession
from webapp.models.completion import TaskCompletion
from webapp.models.pending_import import PendingImport
from webapp.models.project import Label, Project
from webapp.models.task import Priority, Task
from webapp.models.tombstone import TaskTombstone
from webapp.models.undo import UndoEntry
from webapp.models.user import User

# Indexes a migration makes only where PostgreSQL has the extension they need (see
# migrations/versions/0005): not in the models, and not a difference between the two.
OPTIONAL_INDEXES = frozenset({"ix_tasks_search_trgm"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter for comparing the models with the database."""
    return not (type_ == "index" and name in OPTIONAL_INDEXES)


__all__ = [
    "ApiToken",
    "Label",
    "LoginAttempt",
    "PendingImport",
    "Priority",
    "Project",
    "Task",
    "TaskCompletion",
    "TaskTombstone",
    "UndoEntry",
    "User",
    "UserSession",
]
