"""The administrator's use cases, for `python -m webapp admin`: what an operator does to
accounts from the machine, without a browser and without anyone's password.

No login throttle here (whoever runs the command already holds the database), but the
same rules otherwise: the same services create, reset and delete accounts as the pages
do, so an account made or changed here is exactly one made or changed there.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.task import Task
from webapp.models.user import User
from webapp.services.account_service import AccountService
from webapp.services.auth_service import AuthService
from webapp.services.user_service import UserService

__all__ = ["AdminService", "NoSuchUser", "UserSummary"]


class NoSuchUser(Exception):
    """No account has this email."""


@dataclass(frozen=True)
class UserSummary:
    id: int
    email: str
    created_at: datetime
    tasks: int


class AdminService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserService(session)

    async def create_user(self, email: str, password: str) -> User:
        """A new account; raises EmailTakenError. The caller has validated both values
        (UserRegister), as the registration page does."""
        return await self.users.create_user(email, password)

    async def reset_password(self, email: str, password: str) -> tuple[int, int]:
        """Set a new password, end every session and revoke every API token: whoever held
        the old password, or anything made with it, is out. Returns (sessions, tokens)."""
        user = await self._user(email)
        await self.users.set_password(user.id, password)
        return await AuthService(self.session).end_other_access(
            user.id, keep_session=None, revoke_tokens=True
        )

    async def delete_user(self, email: str) -> None:
        """The account and everything of it, in one transaction; raises NoSuchUser."""
        user = await self._user(email)
        if not await AccountService(self.session).delete_account(user.id):
            raise NoSuchUser(email)  # deleted by someone else in the meantime

    async def list_users(self) -> list[UserSummary]:
        """Every user, oldest account first, with their number of tasks: one query."""
        tasks = func.count(col(Task.id))
        query = (
            select(col(User.id), col(User.email), col(User.created_at), tasks)
            .outerjoin(Task, col(Task.user_id) == col(User.id))
            .group_by(col(User.id))
            .order_by(col(User.id))
        )
        rows = (await self.session.exec(query)).all()
        return [UserSummary(*row) for row in rows]

    async def _user(self, email: str) -> User:
        user = await self.users.get_user_by_email(email)
        if user is None:
            raise NoSuchUser(email)
        return user
