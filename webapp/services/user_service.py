"""Accounts: creating users, finding them by email, checking and changing passwords."""

from sqlalchemy import func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import atomic
from webapp.models.project import INBOX, Project
from webapp.models.user import User
from webapp.services.passwords import hash_password, verify_password

INBOX_VALUES = {"name": INBOX, "is_inbox": True, "position": 0}


class EmailTakenError(Exception):
    pass


def normalize_email(email: str) -> str:
    # NUL is dropped: PostgreSQL text cannot hold it, and no real address has one.
    return email.replace("\x00", "").strip().lower()


class UserService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_user(self, email: str, password: str) -> User:
        """Create a user and their Inbox, together; the unique index, not a prior lookup,
        decides a taken email."""
        user = User(email=normalize_email(email), password_hash=await hash_password(password))
        try:
            async with atomic(self.session):
                self.session.add(user)
                await self.session.flush()
                assert user.id is not None
                await self.session.exec(insert(Project).values(**INBOX_VALUES, user_id=user.id))
        except IntegrityError as exc:
            raise EmailTakenError(email) from exc
        return user

    async def get_user_by_email(self, email: str) -> User | None:
        result = await self.session.exec(
            select(User).where(func.lower(User.email) == normalize_email(email))
        )
        return result.first()

    async def authenticate(self, email: str, password: str) -> User | None:
        """The user whose email and password these are, or None whatever was wrong."""
        user = await self.get_user_by_email(email)
        valid, new_hash = await verify_password(password, user.password_hash if user else None)
        if user is None or not valid:
            return None
        if new_hash is not None:
            # Hashed with older parameters or scheme: upgrade it now that we know the password.
            await self.session.exec(
                update(User).where(col(User.id) == user.id).values(password_hash=new_hash)
            )
            await self.session.commit()
        return user

    async def set_password(self, user_id: int, password: str) -> None:
        password_hash = await hash_password(password)
        await self.session.exec(
            update(User).where(col(User.id) == user_id).values(password_hash=password_hash)
        )
        await self.session.commit()

    async def set_clock(
        self, user_id: int, *, timezone: str | None = None, date_order: str | None = None
    ) -> None:
        """The user's zone and date order (each left as it is when None)."""
        values = {"timezone": timezone, "date_order": date_order}
        values = {name: value for name, value in values.items() if value is not None}
        if values:
            await self.session.exec(update(User).where(col(User.id) == user_id).values(**values))
            await self.session.commit()
