"""Accounts: creating users and finding them by email."""

from passlib.context import CryptContext
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.user import User

# argon2id, never bcrypt: bcrypt silently ignores everything after byte 72.
# Hashes made with older parameters are flagged by needs_update() and re-hashed at login.
pwd_context = CryptContext(schemes=["argon2"], deprecated="auto", argon2__type="ID")


class EmailTakenError(Exception):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


class UserService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_user(self, email: str, password: str) -> User:
        """Create a user; the unique index, not a prior lookup, decides a taken email."""
        user = User(email=normalize_email(email), password_hash=pwd_context.hash(password))
        self.session.add(user)
        try:
            await self.session.commit()
        except IntegrityError as exc:
            await self.session.rollback()
            raise EmailTakenError(email) from exc
        return user

    async def get_user_by_email(self, email: str) -> User | None:
        result = await self.session.exec(
            select(User).where(func.lower(User.email) == normalize_email(email))
        )
        return result.first()

    async def get_user(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)
