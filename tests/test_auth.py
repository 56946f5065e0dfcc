"""Accounts and sessions through the real forms: register, log in, log out, settings."""

import logging

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from passlib.context import CryptContext
from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, log_in
from tests.forms import form_fields, log_in_with_form, submit, text_of
from webapp.models import LoginAttempt, User, UserSession
from webapp.schemas.user import common_passwords
from webapp.services.user_service import UserService
from webapp.web import cookies
from webapp.web.redirects import safe_next_path

EMAIL = "alice@example.com"


def session_cookie(client: httpx.AsyncClient) -> str | None:
    return client.cookies.get("session")


def plant_cookie(client: httpx.AsyncClient, value: str) -> None:
    """Make `value` the browser's only session cookie, as if set by the site."""
    client.cookies.delete("session")
    client.cookies.set("session", value, domain="testserver.local")


async def assert_logged_in_as(client: httpx.AsyncClient, email: str) -> None:
    response = await client.get("/settings")
    assert response.status_code == 200, response.headers.get("location")
    assert email in text_of(response)


async def assert_logged_out(client: httpx.AsyncClient) -> None:
    response = await client.get("/settings")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/settings"


def new_client(app: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_register_log_out_log_in_with_the_real_forms(client: httpx.AsyncClient) -> None:
    response = await submit(
        client, "/register", "/register", email="  Bob@Example.COM ", password="a long passphrase"
    )
    assert response.status_code == 303 and response.headers["location"] == "/tasks"
    await assert_logged_in_as(client, "bob@example.com")

    # Log out with the button the layout shows on every logged-in page.
    response = await submit(client, "/settings", "/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    await assert_logged_out(client)

    # Sent to the login page, then back where we wanted to go.
    response = await client.get("/settings")
    login_page = response.headers["location"]
    response = await log_in_with_form(client, "BOB@example.com", "a long passphrase", login_page)
    assert response.status_code == 303 and response.headers["location"] == "/settings"
    await assert_logged_in_as(client, "bob@example.com")
    response = await client.get("/")
    assert response.headers["location"] == "/tasks"


async def test_a_cookie_kept_from_before_logout_no_longer_works(
    client: httpx.AsyncClient, user: User
) -> None:
    await log_in_with_form(client, EMAIL, PASSWORD)
    stolen = session_cookie(client)
    assert stolen
    await submit(client, "/settings", "/logout")
    assert session_cookie(client) is None

    plant_cookie(client, stolen)
    await assert_logged_out(client)


async def test_login_replaces_the_session_id_the_browser_had(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    # A session id that was in the browser before login (planted, or left by another
    # user) must not be the one that ends up logged in.
    await log_in(client, session, user)
    before = client.cookies["session"]
    plant_cookie(client, before)
    response = await client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 303
    after = session_cookie(client)
    assert after and after != before
    await assert_logged_in_as(client, EMAIL)

    plant_cookie(client, before)
    await assert_logged_out(client)


async def test_tampered_cookie_is_anonymous(client: httpx.AsyncClient, user: User) -> None:
    await log_in_with_form(client, EMAIL, PASSWORD)
    good = session_cookie(client)
    value, signature = good.rsplit(".", 1)
    flipped = ("A" if value[0] != "A" else "B") + value[1:]
    for tampered in (f"{flipped}.{signature}", f"{value}.{signature[::-1]}", value):
        plant_cookie(client, tampered)
        await assert_logged_out(client)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example",
        "/\\/evil.example",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
        "/%09/evil.example" + "\t",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "tasks",
        "",
    ],
)
def test_next_is_only_a_path_on_this_site(target: str) -> None:
    assert safe_next_path(target) is None


def test_next_keeps_paths_on_this_site() -> None:
    for target in ("/tasks", "/tasks?status=active&q=milk", "/settings"):
        assert safe_next_path(target) == target


async def test_login_does_not_redirect_to_another_site(
    client: httpx.AsyncClient, user: User
) -> None:
    page = await client.get("/login", params={"next": "//evil.example/"})
    assert "next" not in form_fields(page.text, "/login")
    # Even when the form is forged to carry it.
    for target in ("//evil.example/", "/\\evil.example", "https://evil.example/"):
        response = await submit(
            client, "/login", "/login", email=EMAIL, password=PASSWORD, next=target
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/tasks"
        client.cookies.clear()


async def test_failed_logins_do_not_tell_which_emails_exist(
    client: httpx.AsyncClient, user: User
) -> None:
    unknown = await log_in_with_form(client, "nobody@example.com", PASSWORD)
    wrong = await log_in_with_form(client, EMAIL, "wrong password!")
    malformed = await log_in_with_form(client, "not an email", "x")
    for response in (unknown, wrong, malformed):
        assert response.status_code == 400
        assert "Invalid email or password" in text_of(response)
        assert session_cookie(client) is None
    assert text_of(unknown).replace("nobody@example.com", EMAIL) == text_of(wrong)
    # The email stays in the form.
    assert form_fields(wrong.text, "/login")["email"] == EMAIL


async def test_registering_a_taken_email_says_so_next_to_the_field(
    client: httpx.AsyncClient, user: User
) -> None:
    response = await submit(
        client, "/register", "/register", email="ALICE@example.com", password="another passphrase"
    )
    assert response.status_code == 400
    soup = BeautifulSoup(response.text, "html.parser")
    email = soup.find("input", id="email")
    assert email["value"] == EMAIL and email["aria-invalid"] == "true"
    message = soup.find(id=email["aria-describedby"].split()[0])
    assert "already exists" in message.get_text()
    assert session_cookie(client) is None


async def test_registration_input_errors_are_shown_per_field(client: httpx.AsyncClient) -> None:
    response = await submit(client, "/register", "/register", email="bob@example", password="short")
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    for name, words in (("email", "like name@example.com"), ("password", "at least 8")):
        field = soup.find("input", id=name)
        assert field["aria-invalid"] == "true"
        assert words in soup.find(id=f"{name}-error").get_text()
    assert soup.find("input", id="email")["value"] == "bob@example"

    too_long = "é" * 513  # 1026 bytes, 513 characters
    response = await submit(client, "/register", "/register", email="b@ex.com", password=too_long)
    assert response.status_code == 422
    assert "1024 bytes" in text_of(response)


async def test_common_passwords_are_refused(client: httpx.AsyncClient) -> None:
    assert len(common_passwords()) == 1000
    for password in ("password1", "Qwertyuiop"):
        response = await submit(
            client, "/register", "/register", email="bob@example.com", password=password
        )
        assert response.status_code == 422
        assert "too common" in text_of(response)
    assert session_cookie(client) is None


async def test_long_passwords_count_in_full(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # bcrypt would see these two as one password: they differ only after byte 72.
    first = "p" * 80 + "a" * 20
    second = "p" * 80 + "b" * 20
    await UserService(session).create_user("long@example.com", first)
    response = await log_in_with_form(client, "long@example.com", second)
    assert response.status_code == 400
    response = await log_in_with_form(client, "long@example.com", first)
    assert response.status_code == 303


async def test_an_old_hash_is_upgraded_at_login(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    weak = CryptContext(
        schemes=["argon2"], argon2__type="ID", argon2__memory_cost=8192, argon2__rounds=1
    )
    old_hash = weak.hash(PASSWORD)
    user.password_hash = old_hash
    await session.commit()

    response = await log_in_with_form(client, EMAIL, PASSWORD)
    assert response.status_code == 303
    await session.refresh(user)
    assert user.password_hash != old_hash
    assert user.password_hash.startswith("$argon2id$") and "m=65536" in user.password_hash


async def test_settings_lists_sessions_and_logs_out_the_others(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    async with new_client(app) as phone:
        phone.headers["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile"
        await log_in_with_form(phone, EMAIL, PASSWORD)
        await log_in_with_form(client, EMAIL, PASSWORD)

        page = await client.get("/settings")
        soup = BeautifulSoup(page.text, "html.parser")
        items = soup.select(".session-list li")
        assert len(items) == 2
        assert "Chrome on Android" in page.text
        assert [("This device" in li.get_text()) for li in items].count(True) == 1
        assert soup.find("a", string="API tokens")["href"] == "/settings/tokens"

        response = await submit(client, "/settings", "/settings/sessions/logout-others")
        assert response.status_code == 303
        await assert_logged_out(phone)
        await assert_logged_in_as(client, EMAIL)
        page = await client.get(response.headers["location"])
        assert "logged out everywhere else" in text_of(page)
        assert len(BeautifulSoup(page.text, "html.parser").select(".session-list li")) == 1


async def test_changing_the_password_ends_every_other_session(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    async with new_client(app) as laptop:
        await log_in_with_form(laptop, EMAIL, PASSWORD)
        await log_in_with_form(client, EMAIL, PASSWORD)

        # The current password is required; nothing changes without it.
        response = await submit(
            client,
            "/settings",
            "/settings/password",
            current_password="not my password",
            new_password="a brand new passphrase",
        )
        assert response.status_code == 400
        soup = BeautifulSoup(response.text, "html.parser")
        assert soup.find("input", id="current_password")["aria-invalid"] == "true"
        assert "not your current password" in soup.find(id="current_password-error").get_text()
        await assert_logged_in_as(laptop, EMAIL)

        response = await submit(
            client,
            "/settings",
            "/settings/password",
            current_password=PASSWORD,
            new_password="a brand new passphrase",
        )
        assert response.status_code == 303
        await assert_logged_out(laptop)
        await assert_logged_in_as(client, EMAIL)

        assert (await log_in_with_form(laptop, EMAIL, PASSWORD)).status_code == 400
        response = await log_in_with_form(laptop, EMAIL, "a brand new passphrase")
        assert response.status_code == 303


async def test_new_password_must_not_be_common(user_client: httpx.AsyncClient) -> None:
    response = await submit(
        user_client,
        "/settings",
        "/settings/password",
        current_password=PASSWORD,
        new_password="password1",
    )
    assert response.status_code == 422
    assert "too common" in text_of(response)


async def test_no_password_or_session_id_in_logs_or_database(
    client: httpx.AsyncClient, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "unmistakable passphrase 42"
    await submit(client, "/register", "/register", email="carol@example.com", password=password)
    await submit(client, "/settings", "/logout")
    await log_in_with_form(client, "carol@example.com", "wrong guess at it")
    await log_in_with_form(client, "carol@example.com", password)
    cookie = session_cookie(client)
    raw = cookies.signer("test-secret-key-not-for-production", "session").unsign(cookie).decode()

    # While the session is live, the database has hashes only.
    rows = []
    for table in ("users", "user_sessions", "login_attempts"):
        rows += (await session.exec(text(f"SELECT * FROM {table}"))).all()
    dump = " ".join(str(row) for row in rows)
    # The user, the live session, the registration and the failed login.
    assert "carol@example.com" in dump and len(rows) == 4
    assert password not in dump and raw not in dump and "wrong guess" not in dump
    assert (await session.exec(select(User))).one().password_hash.startswith("$argon2id$")

    await submit(client, "/settings", "/logout")
    assert password not in caplog.text
    assert cookie not in caplog.text and raw not in caplog.text
    assert "wrong guess" not in caplog.text


async def test_logins_clean_up_expired_sessions_and_old_attempts(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await session.exec(
        text(
            "INSERT INTO user_sessions (id_hash, user_id, created_at, last_seen_at, expires_at,"
            " user_agent) VALUES ('old', :uid, now() - interval '40 days',"
            " now() - interval '20 days', now() - interval '10 days', '')"
        ).bindparams(uid=user.id)
    )
    await session.exec(
        text(
            "INSERT INTO login_attempts (email, client, attempted_at)"
            " VALUES ('x@example.com', '10.0.0.1', now() - interval '1 hour')"
        )
    )
    await session.commit()
    await log_in_with_form(client, EMAIL, PASSWORD)
    session.expire_all()
    assert await session.get(UserSession, "old") is None
    assert (await session.exec(select(LoginAttempt))).all() == []
