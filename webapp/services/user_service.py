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


# Verified when the email is unknown, so a login for a missing account takes as
# long as a wrong password for a real one (no account enumeration by timing).
_DUMMY_HASH = pwd_context.hash("not a real password, only here to spend the time")


class EmailTakenError(Exception):
    pass


def normalize_email(email: str) -> str:
    # NUL is dropped: PostgreSQL text cannot hold it, and no real address has one.
    return email.replace("\x00", "").strip().lower()


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

    async def authenticate(self, email: str, password: str) -> User | None:
        """The user whose email and password these are, or None whatever was wrong."""
        user = await self.get_user_by_email(email)
        if user is None:
            pwd_context.verify(password, _DUMMY_HASH)
            return None
        valid, new_hash = pwd_context.verify_and_update(password, user.password_hash)
        if not valid:
            return None
        if new_hash is not None:
            # Hashed with older parameters or scheme: upgrade it now that we know the password.
            user.password_hash = new_hash
            await self.session.commit()
        return user

    async def set_password(self, user: User, password: str) -> None:
        user.password_hash = pwd_context.hash(password)
        self.session.add(user)
        await self.session.commit()
