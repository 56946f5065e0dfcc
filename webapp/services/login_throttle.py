"""Brute-force limits on logins and registrations, kept in PostgreSQL so every app
process sees them.

After 5 failed logins for one email, or 20 from one client address, within 15
minutes, further attempts are refused until the oldest failure ages out. Each
registration costs a password hash, so one client address gets 10 in 15 minutes.
"""

from datetime import timedelta

from sqlalchemy import ColumnElement, delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.auth import LoginAttempt
from webapp.models.base import utcnow
from webapp.services.user_service import normalize_email

WINDOW = timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_CLIENT = 20
MAX_REGISTRATIONS_PER_CLIENT = 10
LOGIN = "login"
REGISTER = "register"


class LoginThrottle:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def retry_after(self, email: str, client: str) -> int | None:
        """Seconds to wait before another login is allowed, or None when allowed now."""
        waits = [
            await self._wait(LoginAttempt.email == normalize_email(email), LOGIN, MAX_PER_EMAIL),
            await self._wait(LoginAttempt.client == client, LOGIN, MAX_PER_CLIENT),
        ]
        found = [wait for wait in waits if wait is not None]
        return max(found) if found else None

    async def registration_retry_after(self, client: str) -> int | None:
        """Seconds before this client may register again, or None when it may now."""
        return await self._wait(
            LoginAttempt.client == client, REGISTER, MAX_REGISTRATIONS_PER_CLIENT
        )

    async def _wait(self, condition: ColumnElement[bool], kind: str, limit: int) -> int | None:
        now = utcnow()
        # The attempt that must age out first is the limit-th newest one.
        query = (
            select(LoginAttempt.attempted_at)
            .where(
                condition, LoginAttempt.kind == kind, col(LoginAttempt.attempted_at) > now - WINDOW
            )
            .order_by(col(LoginAttempt.attempted_at).desc())
            .offset(limit - 1)
            .limit(1)
        )
        blocking = (await self.session.exec(query)).first()
        if blocking is None:
            return None
        return max(1, int((blocking + WINDOW - now).total_seconds()) + 1)

    async def record_failure(self, email: str, client: str) -> None:
        self._record(normalize_email(email), client, LOGIN)
        await self.session.commit()

    async def record_registration(self, email: str, client: str) -> None:
        self._record(normalize_email(email), client, REGISTER)
        await self.session.commit()

    def _record(self, email: str, client: str, kind: str) -> None:
        self.session.add(LoginAttempt(email=email[:320], client=client[:64], kind=kind))

    async def purge_old(self) -> int:
        result = await self.session.exec(
            delete(LoginAttempt).where(col(LoginAttempt.attempted_at) <= func.now() - WINDOW)
        )
        await self.session.commit()
        return result.rowcount
