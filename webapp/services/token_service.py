"""Personal API tokens: random, stored only as a SHA-256 hash, named, revocable.

A token is shown to its owner once, when it is made. The `tm_` prefix lets
secret scanners and people recognise a leaked one.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query
from webapp.models.auth import ApiToken
from webapp.models.base import utcnow, valid_id
from webapp.models.user import Account, User
from webapp.services import task_sync
from webapp.services.session_service import hash_token

TOKEN_PREFIX = "tm_"
# last_used_at is written at most this often: no database write on every API call.
LAST_USED_INTERVAL = timedelta(minutes=1)
# Tokens handed out for a password (POST /api/auth/token) end on their own.
LOGIN_TOKEN_LIFETIME = timedelta(days=30)


def token_status(token: ApiToken, now: datetime | None = None) -> str:
    """ "active", "revoked" or "expired", as the settings page shows it."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


_TOKENS, _USERS = ApiToken.__table__, User.__table__
# The lookup behind every API call: compiled once, run on the driver (webapp.db.Query).
_AUTHENTICATE = Query(
    select(
        _TOKENS.c.id.label("token_id"),
        _TOKENS.c.last_used_at,
        _USERS.c.id.label("user_id"),
        _USERS.c.email,
        _USERS.c.timezone,
        _USERS.c.date_order,
        _USERS.c.tasks_version,
        task_sync.SYNC_SINCE.label("sync_since"),
    )
    .select_from(_TOKENS.join(_USERS, _USERS.c.id == _TOKENS.c.user_id))
    .where(
        _TOKENS.c.token_hash == bindparam("token_hash"),
        _TOKENS.c.revoked_at.is_(None),
        _TOKENS.c.expires_at.is_(None) | (_TOKENS.c.expires_at > bindparam("now")),
    )
)
_USED = Query(
    update(_TOKENS)
    .where(_TOKENS.c.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)


class TokenService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_token(
        self, user_id: int, name: str, *, lifetime: timedelta | None = None
    ) -> tuple[ApiToken, str]:
        """Make a token; returns the row and the raw token (never stored, shown once)."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = utcnow()
        token = ApiToken(
            user_id=user_id,
            name=name[:100],
            token_hash=hash_token(raw),
            created_at=now,
            expires_at=now + lifetime if lifetime is not None else None,
        )
        self.session.add(token)
        await self.session.commit()
        return token, raw

    async def authenticate(self, raw: str) -> Account | None:
        """The owner of a live token, or None for an unknown, revoked or expired one."""
        if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
            return None
        now = utcnow()
        found = await _AUTHENTICATE.fetchrow(self.session, token_hash=hash_token(raw), now=now)
        if found is None:
            return None
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_INTERVAL:
            await _USED.fetch(self.session, token_id=found.token_id, now=now)
        return Account(
            found.user_id,
            found.email,
            found.timezone,
            found.date_order,
            found.tasks_version,
            found.sync_since,
        )

    async def list_tokens(self, user_id: int) -> list[ApiToken]:
        """All the user's tokens, newest first, including revoked and expired ones."""
        result = await self.session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        )
        return list(result.all())

    async def revoke_token(self, user_id: int, token_id: int) -> bool:
        """Revoke one of the user's tokens; False when the user has no such token.

        Revoking twice is harmless and keeps the first revocation time.
        """
        if not valid_id(token_id):
            return False
        result = await self.session.exec(
            update(ApiToken)
            .where(col(ApiToken.id) == token_id, col(ApiToken.user_id) == user_id)
            .values(revoked_at=func.coalesce(col(ApiToken.revoked_at), utcnow()))
        )
        await self.session.commit()
        return result.rowcount == 1

    async def revoke_all(self, user_id: int) -> int:
        """Revoke every live token of the user; returns how many were live."""
        result = await self.session.exec(
            update(ApiToken)
            .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
        await self.session.commit()
        return result.rowcount
