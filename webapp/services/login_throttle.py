"""Brute-force limits on logins and registrations, kept in PostgreSQL so every app
process sees them.

Failures are counted per (email, client): after 5 within 15 minutes, each further
attempt from that client for that email waits twice as long as the one before
(30 s, 1 min, 2 min, ... at most 15 min). Nobody else is slowed down by them, so
no one can lock a victim out by guessing from elsewhere. Two wider limits catch
attacks spread over many emails or many clients; they spare a browser that has
already logged in as that user (`trusted`, from its device cookie), so a flood
from a shared proxy address or a botnet does not lock out the account's owner.

Each registration costs a password hash, so one client gets 10 in 15 minutes.

Check and record are one step: the attempt is inserted, under an advisory lock
on its keys, before the password is checked, so parallel requests cannot all
slip through the count; a successful login deletes its attempt again.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import atomic
from webapp.models.auth import LoginAttempt
from webapp.models.base import utcnow

WINDOW = timedelta(minutes=15)
FREE_PER_PAIR = 5
FREE_PER_EMAIL = 50
FREE_PER_CLIENT = 30
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
MAX_REGISTRATIONS_PER_CLIENT = 10
LOGIN = "login"
REGISTER = "register"
CLIENT_KEY_LENGTH = 64


class Throttled(Exception):
    """Too many attempts: try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def client_key(host: str | None) -> str:
    """The key a client's attempts are counted under: its IPv4 address, or its IPv6 /64
    (one home or phone gets a whole /64, and can hop freely inside it)."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:CLIENT_KEY_LENGTH]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _wait(failures: int, last: datetime | None, free: int, now: datetime) -> int:
    """Seconds until the next attempt is allowed after `failures` (0 when allowed now)."""
    if failures < free or last is None:
        return 0
    delay = min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - free))
    remaining = (last + delay - now).total_seconds()
    return max(0, int(remaining) + 1) if remaining > 0 else 0


@dataclass(frozen=True)
class Attempt:
    """A login attempt being checked: counted as a failure unless `succeeded` is called."""

    id: int


class LoginThrottle:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _lock(self, *keys: str) -> None:
        # Always email before client, so two requests never wait on each other in a cycle.
        for key in keys:
            await self.session.exec(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))").bindparams(k=key)
            )

    async def begin_login(self, email: str, client: str, *, trusted: bool = False) -> Attempt:
        """Record an attempt for `email` from `client` before its password is checked;
        raises Throttled (recording nothing) when it must wait."""
        now = utcnow()
        pair, email_only, client_only = (
            func.count().filter(*c) for c in _conditions(email, client)
        )
        last_pair, last_email, last_client = (
            func.max(LoginAttempt.attempted_at).filter(*c) for c in _conditions(email, client)
        )
        async with atomic(self.session):
            await self._lock(f"login-email:{email}", f"login-client:{client}")
            row = (
                await self.session.exec(
                    select(pair, last_pair, email_only, last_email, client_only, last_client).where(
                        LoginAttempt.kind == LOGIN,
                        col(LoginAttempt.attempted_at) > now - WINDOW,
                        (LoginAttempt.email == email) | (LoginAttempt.client == client),
                    )
                )
            ).one()
            waits = [_wait(row[0], row[1], FREE_PER_PAIR, now)]
            if not trusted:
                waits += [
                    _wait(row[2], row[3], FREE_PER_EMAIL, now),
                    _wait(row[4], row[5], FREE_PER_CLIENT, now),
                ]
            if max(waits):
                raise Throttled(max(waits))
            attempt = LoginAttempt(email=email[:320], client=client, kind=LOGIN, attempted_at=now)
            self.session.add(attempt)
            await self.session.flush()
        assert attempt.id is not None
        return Attempt(attempt.id)

    async def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the attempt is not a failure after all."""
        await self.session.exec(delete(LoginAttempt).where(col(LoginAttempt.id) == attempt.id))
        await self.session.commit()

    async def begin_registration(self, email: str, client: str) -> None:
        """Count a registration from `client`; raises Throttled when it has had its share."""
        now = utcnow()
        query = (
            select(LoginAttempt.attempted_at)
            .where(
                LoginAttempt.kind == REGISTER,
                LoginAttempt.client == client,
                col(LoginAttempt.attempted_at) > now - WINDOW,
            )
            .order_by(col(LoginAttempt.attempted_at).desc())
            .offset(MAX_REGISTRATIONS_PER_CLIENT - 1)
            .limit(1)
        )
        async with atomic(self.session):
            await self._lock(f"register-client:{client}")
            blocking = (await self.session.exec(query)).first()
            if blocking is not None:
                raise Throttled(max(1, int((blocking + WINDOW - now).total_seconds()) + 1))
            self.session.add(
                LoginAttempt(email=email[:320], client=client, kind=REGISTER, attempted_at=now)
            )

    async def purge_old(self) -> int:
        result = await self.session.exec(
            delete(LoginAttempt).where(col(LoginAttempt.attempted_at) <= func.now() - WINDOW)
        )
        await self.session.commit()
        return result.rowcount


def _conditions(email: str, client: str) -> tuple[tuple, tuple, tuple]:
    """The filters of the three counts: this pair, this email, this client."""
    return (
        (LoginAttempt.email == email, LoginAttempt.client == client),
        (LoginAttempt.email == email,),
        (LoginAttempt.client == client,),
    )
