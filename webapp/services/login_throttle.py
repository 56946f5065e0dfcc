"""Brute-force limits on logins, kept in PostgreSQL so every app process sees them.

After 5 failures for one email, or 20 from one client address, within 15
minutes, further attempts are refused until the oldest failure ages out.
"""

from datetime import timedelta

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.auth import LoginAttempt
from webapp.models.base import utcnow
from webapp.services.user_service import normalize_email

WINDOW = timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_CLIENT = 20


class LoginThrottle:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def retry_after(self, email: str, client: str) -> int | None:
        """Seconds to wait before another attempt is allowed, or None when allowed now."""
        now = utcnow()
        since = now - WINDOW
        waits: list[int] = []
        for column, value, limit in (
            (LoginAttempt.email, normalize_email(email), MAX_PER_EMAIL),
            (LoginAttempt.client, client, MAX_PER_CLIENT),
        ):
            # The attempt that must age out first is the limit-th newest one.
            query = (
                select(LoginAttempt.attempted_at)
                .where(column == value, col(LoginAttempt.attempted_at) > since)
                .order_by(col(LoginAttempt.attempted_at).desc())
                .offset(limit - 1)
                .limit(1)
            )
            blocking = (await self.session.exec(query)).first()
            if blocking is not None:
                waits.append(max(1, int((blocking + WINDOW - now).total_seconds()) + 1))
        return max(waits) if waits else None

    async def record_failure(self, email: str, client: str) -> None:
        self.session.add(LoginAttempt(email=normalize_email(email)[:320], client=client[:64]))
        await self.session.commit()

    async def purge_old(self) -> int:
        result = await self.session.exec(
            delete(LoginAttempt).where(col(LoginAttempt.attempted_at) <= func.now() - WINDOW)
        )
        await self.session.commit()
        return result.rowcount
