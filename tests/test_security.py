"""The web security baseline: CSRF, headers on every response, error pages, production cookies."""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI, HTTPException
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, log_in
from tests.forms import form_fields, submit, text_of
from webapp.config import Settings
from webapp.main import create_app
from webapp.models import User
from webapp.services.session_service import SessionService
from webapp.web.security import CONTENT_SECURITY_POLICY

EMAIL = "alice@example.com"
RELOAD = "Reload the page"


# --- CSRF -----------------------------------------------------------------


async def login_form(client: httpx.AsyncClient) -> dict[str, str]:
    page = await client.get("/login")
    return form_fields(page.text, "/login") | {"email": EMAIL, "password": PASSWORD}


async def test_login_form_without_or_with_a_wrong_token_is_refused(
    client: httpx.AsyncClient, user: User
) -> None:
    data = await login_form(client)
    assert data["csrf_token"]
    for token in (None, "", "0" * 64, data["csrf_token"][:-1] + "x"):
        sent = {k: v for k, v in data.items() if k != "csrf_token"}
        if token is not None:
            sent["csrf_token"] = token
        response = await client.post("/login", data=sent)
        assert response.status_code == 403
        assert RELOAD in text_of(response)
        assert "session" not in client.cookies
    # The untouched form works.
    assert (await client.post("/login", data=data)).status_code == 303


async def test_a_token_from_another_browser_is_refused(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    data = await login_form(client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await other.get("/login")
        response = await other.post("/login", data=data)
        assert response.status_code == 403


async def test_logged_in_actions_need_the_sessions_token(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    token = await log_in(client, session, user)
    del client.headers["X-CSRF-Token"]
    other_raw = await SessionService(session).create_session(user.id, "other device")
    # A plain form post with no token (what a forged cross-site form would send).
    response = await client.post("/settings/sessions/logout-others", data={})
    assert response.status_code == 403
    assert RELOAD in text_of(response)
    assert await SessionService(session).authenticate(other_raw) is not None
    # An htmx request with the header works.
    response = await client.post(
        "/settings/sessions/logout-others", headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 303
    assert await SessionService(session).authenticate(other_raw) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver:8443"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ],
)
async def test_unsafe_requests_from_another_site_are_refused_even_with_a_token(
    client: httpx.AsyncClient, user: User, headers: dict[str, str]
) -> None:
    data = await login_form(client)
    response = await client.post("/login", data=data, headers=headers)
    assert response.status_code == 403
    assert "session" not in client.cookies


async def test_same_site_origin_is_accepted(client: httpx.AsyncClient, user: User) -> None:
    data = await login_form(client)
    headers = {"Origin": "http://testserver", "Referer": "http://testserver/login"}
    assert (await client.post("/login", data=data, headers=headers)).status_code == 303


# --- Headers ----------------------------------------------------------------


def assert_security_headers(response: httpx.Response, *, private: bool = True) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # not outside production
    assert not [name for name in headers if name.lower().startswith("access-control-")]
    if private:
        assert headers["Cache-Control"] == "no-store"
        assert "HX-Request" in headers["Vary"]


async def test_headers_on_pages_redirects_errors_and_fragments(
    user_client: httpx.AsyncClient,
) -> None:
    cross_origin = {"Origin": "https://evil.example"}
    for method, url, status, extra in [
        ("GET", "/settings", 200, {}),
        ("GET", "/", 303, {}),
        ("GET", "/no-such-page", 404, {}),
        ("GET", "/logout", 405, {}),
        ("GET", "/settings", 200, {"HX-Request": "true", "HX-Request-Type": "partial"}),
        ("GET", "/login", 303, cross_origin),
        ("POST", "/logout", 403, cross_origin),
        ("OPTIONS", "/settings", 405, cross_origin | {"Access-Control-Request-Method": "POST"}),
    ]:
        response = await user_client.request(method, url, headers=extra)
        assert response.status_code == status, (method, url)
        assert_security_headers(response)


async def test_headers_on_anonymous_pages_and_static_files(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    assert_security_headers(page)
    css = await client.get("/static/app.css")
    assert css.status_code == 200
    assert_security_headers(css, private=False)
    # Static files may be cached; they hold nobody's data.
    assert "no-store" not in css.headers.get("Cache-Control", "")


async def test_pages_load_no_inline_script_or_style(client: httpx.AsyncClient) -> None:
    for url in ("/login", "/register"):
        soup = BeautifulSoup((await client.get(url)).text, "html.parser")
        assert all(script.get("src") for script in soup.find_all("script"))
        assert not soup.find_all("style") and not soup.select("[style]")
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


@pytest.fixture
async def production_client(database_url: str, clean_db, tmp_path) -> AsyncIterator:
    settings = Settings(
        environment="production",
        database_url=database_url,
        secret_key="production-test-secret",
        var_dir=tmp_path,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield client


async def test_production_adds_hsts_and_host_prefixed_secure_cookies(
    production_client: httpx.AsyncClient, user: User
) -> None:
    page = await production_client.get("/login")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.headers["set-cookie"].startswith("__Host-presession=")
    response = await submit(production_client, "/login", "/login", email=EMAIL, password=PASSWORD)
    assert response.status_code == 303
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-session=")
    )
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes and "samesite=lax" in cookie.lower()
    assert (await production_client.get("/settings")).status_code == 200


# --- Error pages --------------------------------------------------------------


async def test_not_found_is_a_page_for_people_and_json_for_the_api(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/nowhere")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("h1").get_text() == "Page not found"
    assert soup.find("a", class_="brand")  # in the site layout

    api = await client.get("/api/nowhere")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found", "code": "not_found"}


async def test_htmx_gets_the_error_in_place_of_the_main_area(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/nowhere", headers={"HX-Request": "true", "HX-Request-Type": "partial"}
    )
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#main"
    assert "<html" not in response.text and "Page not found" in response.text


@pytest.fixture
async def broken_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app with routes that fail, added only here."""
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/api/boom")
    async def api_boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/api/unauthorised")
    async def api_unauthorised() -> None:
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})

    # Errors are answered, not raised into the test: what a browser would get.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_a_crash_shows_a_request_id_and_no_stack_trace(
    broken_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="webapp")
    page = await broken_client.get("/boom")
    assert page.status_code == 500
    assert_security_headers(page)
    shown = text_of(page)
    assert "Something went wrong" in shown
    assert "Traceback" not in page.text and "hunter2" not in page.text
    assert "RuntimeError" not in page.text
    request_id = BeautifulSoup(page.text, "html.parser").find("code").get_text()
    assert len(request_id) == 8
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None

    api = await broken_client.get("/api/boom")
    assert api.status_code == 500
    body = api.json()
    assert body["detail"] == "Internal server error" and len(body["request_id"]) == 8
    assert "hunter2" not in api.text


async def test_api_errors_keep_their_headers(broken_client: httpx.AsyncClient) -> None:
    response = await broken_client.get("/api/unauthorised")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated", "code": "not_authenticated"}
    assert response.headers["WWW-Authenticate"] == "Bearer"
