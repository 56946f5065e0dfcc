"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from webapp.models.auth import ApiToken, LoginAttempt, UserSession
from webapp.models.task import Priority, Task
from webapp.models.undo import UndoEntry
from webapp.models.user import User

__all__ = ["ApiToken", "LoginAttempt", "Priority", "Task", "UndoEntry", "User", "UserSession"]
