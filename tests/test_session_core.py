"""The session cookie and CurrentUser: who counts as logged in."""

from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import log_in
from webapp.models import User, UserSession
from webapp.models.base import utcnow
from webapp.services.session_service import SessionService, hash_token


async def test_front_door_redirects_by_login_state(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    response = await client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    await log_in(client, session, user)
    response = await client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/tasks"


async def test_garbage_and_forged_cookies_are_anonymous(client: httpx.AsyncClient) -> None:
    for value in ["garbage", "a.b.c", "x" * 5000, "%00%ff"]:
        client.cookies.set("session", value)
        response = await client.get("/")
        assert response.status_code == 303 and response.headers["location"] == "/login"


async def test_session_ids_are_stored_hashed_and_expire(session: AsyncSession, user: User) -> None:
    service = SessionService(session)
    raw = await service.create_session(user.id, "agent")
    stored = await session.get(UserSession, hash_token(raw))
    assert stored is not None and raw not in stored.id_hash
    assert (await service.authenticate(raw))[1].id == user.id

    idle = utcnow() - timedelta(days=15)
    await session.exec(update(UserSession).values(last_seen_at=idle))
    await session.commit()
    assert await service.authenticate(raw) is None
    assert await service.purge_expired() == 1
