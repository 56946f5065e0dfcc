"""Server-side browser sessions.

The browser holds a random 256-bit id; the table holds only its SHA-256, so a
leaked database cannot be replayed as cookies. A session ends after 14 days
without use or 30 days after login, whichever comes first.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query
from webapp.models.auth import UserSession
from webapp.models.base import utcnow
from webapp.models.user import Account, User

IDLE_TIMEOUT = timedelta(days=14)
ABSOLUTE_TIMEOUT = timedelta(days=30)
# last_seen_at is written at most this often: no database write on every request.
REFRESH_INTERVAL = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


_SESSIONS, _USERS = UserSession.__table__, User.__table__
# The lookup behind every page: compiled once, run on the driver (webapp.db.Query).
_AUTHENTICATE = Query(
    select(
        _SESSIONS.c.id_hash,
        _SESSIONS.c.last_seen_at,
        _USERS.c.id.label("user_id"),
        _USERS.c.email,
        _USERS.c.timezone,
        _USERS.c.date_order,
        _USERS.c.tasks_version,
    )
    .select_from(_SESSIONS.join(_USERS, _USERS.c.id == _SESSIONS.c.user_id))
    .where(
        _SESSIONS.c.id_hash == bindparam("id_hash"),
        _SESSIONS.c.expires_at > bindparam("now"),
        _SESSIONS.c.last_seen_at > bindparam("idle_after"),
    )
)
_SEEN = Query(
    update(_SESSIONS)
    .where(_SESSIONS.c.id_hash == bindparam("id_hash"))
    .values(last_seen_at=bindparam("now"))
)


class SessionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_session(self, user_id: int, user_agent: str = "") -> str:
        """Start a session and return its raw id (shown to the browser only)."""
        raw = secrets.token_urlsafe(32)
        now = utcnow()
        self.session.add(
            UserSession(
                id_hash=hash_token(raw),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + ABSOLUTE_TIMEOUT,
                user_agent=user_agent[:300],
            )
        )
        await self.session.commit()
        return raw

    async def authenticate(self, raw: str, *, seen: bool = True) -> Account | None:
        """The user of a live session, refreshing its last_seen_at now and then.

        `seen=False` for a check that is not the user's doing (a live stream's ping):
        a tab left open must not keep its session from ending when idle."""
        now = utcnow()
        found = await _AUTHENTICATE.fetchrow(
            self.session, id_hash=hash_token(raw), now=now, idle_after=now - IDLE_TIMEOUT
        )
        if found is None:
            return None
        if seen and now - found.last_seen_at >= REFRESH_INTERVAL:
            await _SEEN.fetch(self.session, id_hash=found.id_hash, now=now)
        return Account(
            found.user_id, found.email, found.timezone, found.date_order, found.tasks_version
        )

    async def end_session(self, raw: str) -> None:
        await self.session.exec(
            delete(UserSession).where(col(UserSession.id_hash) == hash_token(raw))
        )
        await self.session.commit()

    async def end_other_sessions(self, user_id: int, keep_raw: str | None) -> int:
        """End every session of the user but `keep_raw`; returns how many ended."""
        query = delete(UserSession).where(col(UserSession.user_id) == user_id)
        if keep_raw is not None:
            query = query.where(col(UserSession.id_hash) != hash_token(keep_raw))
        result = await self.session.exec(query)
        await self.session.commit()
        return result.rowcount

    async def list_sessions(self, user_id: int) -> list[UserSession]:
        now = utcnow()
        result = await self.session.exec(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                col(UserSession.expires_at) > now,
                col(UserSession.last_seen_at) > now - IDLE_TIMEOUT,
            )
            .order_by(col(UserSession.last_seen_at).desc())
        )
        return list(result.all())

    async def purge_expired(self, now: datetime | None = None) -> int:
        now = now or utcnow()
        result = await self.session.exec(
            delete(UserSession).where(
                (col(UserSession.expires_at) <= now)
                | (col(UserSession.last_seen_at) <= now - IDLE_TIMEOUT)
            )
        )
        await self.session.commit()
        return result.rowcount
