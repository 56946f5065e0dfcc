"""Settings → Delete account: the password again, then everything of that user goes."""

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, log_in
from tests.forms import text_of
from webapp.models import ApiToken, LoginAttempt, PendingImport, Task, UndoEntry, User, UserSession
from webapp.schemas import TaskCreate
from webapp.services.login_throttle import FREE_PER_PAIR
from webapp.services.session_service import SessionService
from webapp.services.task_service import TaskService
from webapp.services.token_service import TokenService
from webapp.services.user_service import UserService

ACTION = "/settings/delete-account"
DELETED = "Your account and all its tasks have been deleted."


async def everything(session: AsyncSession, user: User) -> dict[str, int]:
    async def count(model: type, condition: object) -> int:
        query = select(func.count()).select_from(model).where(condition)
        return (await session.exec(query)).one()[0]

    return {
        "user": await count(User, User.id == user.id),
        "tasks": await count(Task, Task.user_id == user.id),
        "sessions": await count(UserSession, UserSession.user_id == user.id),
        "tokens": await count(ApiToken, ApiToken.user_id == user.id),
        "undo": await count(UndoEntry, UndoEntry.user_id == user.id),
        "pending imports": await count(PendingImport, PendingImport.user_id == user.id),
        "login records": await count(LoginAttempt, LoginAttempt.email == user.email),
    }


async def populate(session: AsyncSession, user: User) -> None:
    tasks = TaskService(session)
    await tasks.create_task(user.id, TaskCreate(title=f"{user.email}'s task"))
    gone = await tasks.create_task(user.id, TaskCreate(title="deleted, undoable"))
    await tasks.delete_task(user.id, gone.id)
    await SessionService(session).create_session(user.id, "another browser")
    await TokenService(session).create_token(user.id, "script")
    session.add(PendingImport(user_id=user.id, payload=[]))
    session.add(LoginAttempt(email=user.email, client="10.0.0.9"))
    await session.commit()


@pytest.fixture
async def bob(session: AsyncSession) -> User:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    await populate(session, bob)
    return bob


async def test_the_settings_page_says_what_will_be_deleted(user_client: httpx.AsyncClient) -> None:
    page = BeautifulSoup((await user_client.get("/settings")).text, "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "delete-title"})
    words = " ".join(section.get_text().split())
    for what in ("all your tasks", "every session", "every API token", "cannot be undone"):
        assert what in words
    form = section.find("form", action=ACTION)
    assert form.find("input", type="password")["name"] == "password"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]


async def test_a_wrong_password_keeps_everything(
    client: httpx.AsyncClient, session: AsyncSession, user: User, bob: User
) -> None:
    await populate(session, user)
    await log_in(client, session, user)
    before = await everything(session, user)
    response = await client.post(ACTION, data={"password": "not my password"})
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find(id="password")["aria-invalid"] == "true"
    assert "That is not your password. Nothing was deleted." in text_of(response)
    after = await everything(session, user)
    # Counted like a failed login, and nothing else changed.
    assert after == before | {"login records": before["login records"] + 1}
    empty = await client.post(ACTION, data={"password": ""})
    assert empty.status_code == 422 and await everything(session, user) == after
    assert (await client.get("/tasks")).status_code == 200  # still logged in


async def test_the_right_password_deletes_all_of_it_and_nothing_of_anyone_else(
    client: httpx.AsyncClient, session: AsyncSession, user: User, bob: User
) -> None:
    await populate(session, user)
    await log_in(client, session, user)
    bobs = await everything(session, bob)
    old_cookie = client.cookies["session"]

    response = await client.post(ACTION, data={"password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?notice=account-deleted"
    assert 'session=""' in response.headers["set-cookie"]  # the cookie is cleared
    assert set((await everything(session, user)).values()) == {0}
    assert await everything(session, bob) == bobs

    login = await client.get(response.headers["location"])
    assert login.status_code == 200 and DELETED in text_of(login)
    # The old cookie, sent again, belongs to no one.
    client.cookies.set("session", old_cookie)
    assert (await client.get("/tasks")).headers["location"] == "/login?next=/tasks"
    assert (await client.post(ACTION, data={"password": PASSWORD})).status_code in (303, 403)
    assert await everything(session, bob) == bobs


async def test_with_htmx_the_browser_is_sent_to_the_login_page(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    response = await user_client.post(
        ACTION, data={"password": PASSWORD}, headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Redirect"] == "/login?notice=account-deleted"
    assert (await everything(session, user))["user"] == 0


async def test_the_login_notice_is_chosen_by_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/login?notice=<b>Your account was hacked</b>")
    assert "hacked" not in response.text and DELETED not in response.text


async def test_guessing_the_password_is_throttled(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    for _ in range(FREE_PER_PAIR):
        assert (await user_client.post(ACTION, data={"password": "guess"})).status_code == 400
    throttled = await user_client.post(ACTION, data={"password": PASSWORD})
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    assert (await everything(session, user))["user"] == 1


async def test_deleting_needs_the_csrf_token(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    del user_client.headers["X-CSRF-Token"]
    for data in ({"password": PASSWORD}, {"password": PASSWORD, "csrf_token": "forged"}):
        assert (await user_client.post(ACTION, data=data)).status_code == 403
    assert (await everything(session, user))["user"] == 1
