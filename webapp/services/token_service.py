"""Personal API tokens: random, stored only as a SHA-256 hash, named, revocable.

A token is shown to its owner once, when it is made. The `tm_` prefix lets
secret scanners and people recognise a leaked one.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.auth import ApiToken
from webapp.models.base import utcnow, valid_id
from webapp.models.user import User
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

    async def authenticate(self, raw: str) -> User | None:
        """The owner of a live token, or None for an unknown, revoked or expired one."""
        if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
            return None
        now = utcnow()
        result = await self.session.exec(
            select(ApiToken, User)
            .join(User, col(User.id) == col(ApiToken.user_id))
            .where(
                ApiToken.token_hash == hash_token(raw),
                col(ApiToken.revoked_at).is_(None),
                (col(ApiToken.expires_at).is_(None)) | (col(ApiToken.expires_at) > now),
            )
        )
        row = result.first()
        if row is None:
            return None
        token, user = row
        # Detached: whatever the request does to its session later, these stay as loaded.
        self.session.expunge_all()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_INTERVAL:
            await self.session.exec(
                update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now)
            )
            await self.session.commit()
        return user

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
