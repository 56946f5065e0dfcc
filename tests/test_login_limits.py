"""Login and registration limits: they stop guessing without locking anyone else out,
and hold under parallel requests (the count and the record are one step)."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD
from tests.forms import form_fields, log_in_with_form, submit, text_of
from webapp.models import LoginAttempt, User
from webapp.models.base import utcnow
from webapp.services.login_throttle import (
    FREE_PER_CLIENT,
    FREE_PER_EMAIL,
    FREE_PER_PAIR,
    MAX_REGISTRATIONS_PER_CLIENT,
    _wait,
    client_key,
)

EMAIL = "alice@example.com"


def new_client(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def failures(session: AsyncSession, count: int, *, email: str, clients: list[str]) -> None:
    """`count` recent failed logins, spread over `clients` in turn."""
    now = utcnow()
    for i in range(count):
        session.add(
            LoginAttempt(
                email=email.format(i=i),
                client=client_key(clients[i % len(clients)]),
                kind="login",
                attempted_at=now - timedelta(seconds=count - i),
            )
        )
    await session.commit()


async def attempts(session: AsyncSession, kind: str = "login") -> int:
    query = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.kind == kind)
    return (await session.exec(query)).one()


def test_delays_double_after_the_free_attempts_and_stop_growing() -> None:
    now = utcnow()
    assert _wait(FREE_PER_PAIR - 1, now, FREE_PER_PAIR, now) == 0
    assert 29 <= _wait(FREE_PER_PAIR, now, FREE_PER_PAIR, now) <= 31
    assert 59 <= _wait(FREE_PER_PAIR + 1, now, FREE_PER_PAIR, now) <= 61
    assert _wait(FREE_PER_PAIR + 30, now, FREE_PER_PAIR, now) <= 15 * 60 + 1
    # Once the delay since the last failure has passed, the next attempt is free to go.
    assert _wait(FREE_PER_PAIR, now - timedelta(seconds=31), FREE_PER_PAIR, now) == 0


def test_ipv6_clients_count_by_their_64_and_keys_fit_the_column() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:10.1.2.3") == "10.1.2.3"
    assert client_key("10.1.2.3") == "10.1.2.3"
    assert len(client_key("x" * 500)) <= 64 and client_key(None) == "unknown"


async def test_guessing_slows_down_that_email_from_that_client_only(
    app: FastAPI, user: User
) -> None:
    async with new_client(app, "10.1.1.1") as attacker, new_client(app, "10.2.2.2") as owner:
        for _ in range(FREE_PER_PAIR):
            assert (await log_in_with_form(attacker, EMAIL, "wrong password!")).status_code == 400
        # The guesser waits now, even with the right password...
        response = await log_in_with_form(attacker, EMAIL, PASSWORD)
        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 31
        assert "Too many failed attempts" in text_of(response)
        # ...another email from the same client is still judged on its password...
        assert (await log_in_with_form(attacker, "bob@example.com", "nope nope")).status_code == 400
        # ...and the owner, elsewhere, is not locked out by someone else's guesses.
        assert (await log_in_with_form(owner, EMAIL, PASSWORD)).status_code == 303


async def test_a_guessing_address_cannot_lock_out_a_browser_that_logged_in_before(
    app: FastAPI, session: AsyncSession, user: User
) -> None:
    # A proxy's (or a shared network's) address, from which someone guesses many emails.
    proxy = "10.6.6.6"
    async with new_client(app, proxy) as owner:
        # The owner logged in from this browser once: it carries the device cookie.
        assert (await log_in_with_form(owner, EMAIL, PASSWORD)).status_code == 303
        await owner.post("/logout", data=form_fields((await owner.get("/tasks")).text, "/logout"))
        await failures(session, FREE_PER_CLIENT, email="guess{i}@example.com", clients=[proxy])
        async with new_client(app, proxy) as stranger:
            response = await log_in_with_form(stranger, EMAIL, PASSWORD)
            assert response.status_code == 429
        assert (await log_in_with_form(owner, EMAIL, PASSWORD)).status_code == 303
    async with new_client(app, "10.7.7.7") as someone_else:
        assert (await log_in_with_form(someone_else, EMAIL, PASSWORD)).status_code == 303


async def test_guesses_from_everywhere_do_not_lock_out_the_owners_browser(
    app: FastAPI, session: AsyncSession, user: User
) -> None:
    async with new_client(app, "10.3.3.3") as owner:
        assert (await log_in_with_form(owner, EMAIL, PASSWORD)).status_code == 303
        await owner.post("/logout", data=form_fields((await owner.get("/tasks")).text, "/logout"))
        botnet = [f"10.9.{i // 250}.{i % 250}" for i in range(FREE_PER_EMAIL)]
        await failures(session, FREE_PER_EMAIL, email=EMAIL, clients=botnet)
        async with new_client(app, "10.4.4.4") as new_browser:
            assert (await log_in_with_form(new_browser, EMAIL, PASSWORD)).status_code == 429
        assert (await log_in_with_form(owner, EMAIL, PASSWORD)).status_code == 303


async def test_parallel_wrong_passwords_are_all_counted(
    app: FastAPI, session: AsyncSession, user: User
) -> None:
    async with new_client(app, "10.5.5.5") as attacker:
        page = await attacker.get("/login")
        data = form_fields(page.text, "/login") | {"email": EMAIL, "password": "wrong guess"}
        answers = await asyncio.gather(*(attacker.post("/login", data=data) for _ in range(60)))
    statuses = sorted(r.status_code for r in answers)
    # Exactly the free attempts were checked against the password; every other one waits.
    assert statuses.count(400) == FREE_PER_PAIR, statuses
    assert statuses.count(429) == 60 - FREE_PER_PAIR
    assert await attempts(session) == FREE_PER_PAIR


async def test_parallel_registrations_hold_to_the_limit(
    app: FastAPI, session: AsyncSession
) -> None:
    async with new_client(app, "10.8.8.8") as spammer:
        page = await spammer.get("/register")
        token = form_fields(page.text, "/register")["csrf_token"]

        async def register(i: int) -> httpx.Response:
            data = {"csrf_token": token, "email": f"bot{i}@example.com", "password": "a fine pass"}
            return await spammer.post("/register", data=data)

        answers = await asyncio.gather(*(register(i) for i in range(15)))
        statuses = [r.status_code for r in answers]
        assert statuses.count(303) == MAX_REGISTRATIONS_PER_CLIENT, statuses
        assert statuses.count(429) == 15 - MAX_REGISTRATIONS_PER_CLIENT
        refused = next(r for r in answers if r.status_code == 429)
        assert int(refused.headers["Retry-After"]) > 0
        assert "Too many new accounts" in text_of(refused)
    assert await attempts(session, "register") == MAX_REGISTRATIONS_PER_CLIENT
    async with new_client(app, "10.9.9.9") as someone_else:
        response = await submit(
            someone_else, "/register", "/register", email="new@example.com", password="a fine pass"
        )
        assert response.status_code == 303


@pytest.mark.parametrize("address", ["2001:db8:1:2::1", "10.20.30.40"])
async def test_attempts_are_stored_and_found_under_the_same_key(
    app: FastAPI, session: AsyncSession, user: User, address: str
) -> None:
    async with new_client(app, address) as client:
        for _ in range(FREE_PER_PAIR):
            await log_in_with_form(client, EMAIL, "wrong password!")
    stored = (await session.exec(select(LoginAttempt.client))).all()
    assert set(stored) == {client_key(address)}
    # Another address in the same /64 (or the same IPv4 address) is the same client.
    neighbour = "2001:db8:1:2::99" if ":" in address else address
    async with new_client(app, neighbour) as client:
        assert (await log_in_with_form(client, EMAIL, PASSWORD)).status_code == 429
