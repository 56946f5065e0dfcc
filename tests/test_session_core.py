"""The session cookie and CurrentUser: who counts as logged in."""

from datetime import timedelta

import httpx
from sqlalchemy import delete, update
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
    assert (await service.authenticate(raw)).id == user.id

    idle = utcnow() - timedelta(days=15)
    await session.exec(update(UserSession).values(last_seen_at=idle))
    await session.commit()
    assert await service.authenticate(raw) is None
    assert await service.purge_expired() == 1


async def test_a_form_from_an_ended_session_goes_to_login_not_403(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await log_in(client, session, user)
    page = await client.get("/tasks?status=active")
    assert page.status_code == 200
    # The session ends elsewhere (logged out on another device, or expired).
    await session.exec(delete(UserSession))
    await session.commit()

    referer = {"Referer": "http://testserver/tasks?status=active"}
    response = await client.post("/tasks", data={"title": "typed late"}, headers=referer)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/tasks%3Fstatus%3Dactive"

    htmx = referer | {"HX-Request": "true", "HX-Request-Type": "partial"}
    response = await client.post("/tasks", data={"title": "typed late"}, headers=htmx)
    assert response.headers["HX-Redirect"].startswith("/login?next=")


async def test_a_forged_post_without_a_session_is_still_403(client: httpx.AsyncClient) -> None:
    response = await client.post("/tasks", data={"title": "x"})
    assert response.status_code == 403
