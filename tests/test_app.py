"""The running app: health check both ways, static files, home page, configuration."""

import logging

import httpx
import pytest

from webapp.config import ConfigError, Settings
from webapp.main import create_app


async def test_healthz_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_503_when_database_is_down(tmp_path) -> None:
    # Port 1 on loopback: nothing listens there, so every connection is refused.
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none",
        secret_key="x",
        var_dir=tmp_path,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"


async def test_static_htmx_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/vendor/htmx-4.0.1.min.js")
    assert response.status_code == 200
    assert "htmx" in response.text


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"database_url": "postgresql+asyncpg://x/y"}, "SECRET_KEY must be set"),
        ({"secret_key": "s"}, "DATABASE_URL must be set"),
        ({}, "SECRET_KEY and DATABASE_URL must be set"),
    ],
)
def test_production_refuses_to_start_without_secrets(env: dict, message: str, tmp_path) -> None:
    with pytest.raises(ConfigError, match=message):
        create_app(Settings(environment="production", var_dir=tmp_path, **env))


def test_development_secret_key_is_generated_once(tmp_path) -> None:
    first = Settings(var_dir=tmp_path).resolved_secret_key()
    second = Settings(var_dir=tmp_path).resolved_secret_key()
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


async def test_a_client_hanging_up_mid_body_is_no_error(
    app, clean_db, user_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A tab closed while its form was on the way: nobody to answer, nothing to log as an
    error (the benchmark's and the soak's logs were full of these tracebacks)."""
    cookies = "; ".join(f"{name}={value}" for name, value in user_client.cookies.items())
    messages = [
        {"type": "http.request", "body": b"title=Half", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    for path in ("/tasks", "/login"):
        messages[:] = [
            {"type": "http.request", "body": b"title=Half", "more_body": True},
            {"type": "http.disconnect"},
        ]
        scope = {
            "type": "http",
            "http_version": "1.1",
            "method": "POST",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "scheme": "http",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 5000),
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", b"100"),
                (b"origin", b"http://testserver"),
                (b"cookie", cookies.encode()),
            ],
        }
        with caplog.at_level(logging.INFO):
            await app(scope, receive, send)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert all(m["status"] < 500 for m in sent if m["type"] == "http.response.start")
