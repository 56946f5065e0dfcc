"""An account as a whole: deleting it and everything of it, and nothing of anyone else's.

Tasks, sessions, API tokens and undo entries go with the user row (their foreign keys
cascade); failed-login records are keyed by email, not by user, so they are deleted
by email. One transaction: an account is gone entirely, or not at all.
"""

from sqlalchemy import delete, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import atomic
from webapp.models.auth import LoginAttempt
from webapp.models.user import User
from webapp.services.user_service import normalize_email


class AccountService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def delete_account(self, user_id: int) -> bool:
        """Delete the user and all of theirs; False when there is no such user."""
        async with atomic(self.session):
            # A row lock first, so a login finishing at the same moment cannot outlive it.
            email = (
                await self.session.exec(
                    text("SELECT email FROM users WHERE id = :id FOR UPDATE").bindparams(id=user_id)
                )
            ).scalar()
            if email is None:
                return False
            await self.session.exec(
                delete(LoginAttempt).where(col(LoginAttempt.email) == normalize_email(email))
            )
            await self.session.exec(delete(User).where(col(User.id) == user_id))
        return True
