"""REGISTRATION=open|closed: closed hides the way in and answers /register with a 404."""

from collections.abc import AsyncIterator

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD
from tests.forms import form_fields, log_in_with_form, text_of
from webapp.config import Settings
from webapp.main import create_app
from webapp.models import User

CLOSED = "Registration is closed on this server. Ask its administrator for an account."


@pytest.fixture(scope="module")
async def closed_app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings.model_copy(update={"registration": "closed"}))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def closed(closed_app: FastAPI, clean_db: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=closed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def register_links(response: httpx.Response) -> list:
    return BeautifulSoup(response.text, "html.parser").find_all("a", href="/register")


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().registration == "open"
    monkeypatch.setenv("REGISTRATION", "closed")
    assert Settings().registration == "closed"
    monkeypatch.setenv("REGISTRATION", "maybe")
    with pytest.raises(ValidationError):
        Settings()


async def test_open_registration_shows_the_link(client: httpx.AsyncClient) -> None:
    assert register_links(await client.get("/login"))
    assert (await client.get("/register")).status_code == 200


async def test_closed_registration_hides_the_link_and_answers_404(
    closed: httpx.AsyncClient, session: AsyncSession
) -> None:
    login = await closed.get("/login")
    assert login.status_code == 200 and register_links(login) == []
    page = await closed.get("/register")
    assert page.status_code == 404 and CLOSED in text_of(page)
    data = form_fields(login.text, "/login") | {"email": "new@example.com", "password": PASSWORD}
    for sent in (data, {"email": "new@example.com", "password": PASSWORD}):
        refused = await closed.post("/register", data=sent)
        assert refused.status_code == 404 and CLOSED in text_of(refused)
    htmx = await closed.post("/register", data=data, headers={"HX-Request": "true"})
    assert htmx.status_code == 404
    assert (await session.exec(select(User))).all() == []


async def test_logging_in_still_works_when_closed(
    closed: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    response = await log_in_with_form(closed, user.email, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/tasks"
    assert (await closed.get("/tasks")).status_code == 200
