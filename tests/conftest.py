"""Fixtures: a real PostgreSQL database per test session, emptied after every test.

TEST_DATABASE_URL (a postgresql+asyncpg:// URL to a server we may create
databases on) is used when set; otherwise an embedded server is started in a
temporary directory and deleted at the end.
"""

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import webapp.models  # noqa: F401
from webapp.config import PROJECT_ROOT, Settings
from webapp.db import create_sessionmaker, embedded_url, start_embedded
from webapp.main import create_app
from webapp.models import User
from webapp.services.session_service import SessionService
from webapp.services.user_service import UserService
from webapp.web import cookies

PASSWORD = "correct horse battery staple"


def _asyncpg_dsn(url: str) -> str:
    """The same URL in the form asyncpg itself accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, sql: str) -> None:
    u = make_url(url)
    conn = await asyncpg.connect(
        _asyncpg_dsn(str(u.set(database="postgres").render_as_string(hide_password=False)))
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def in_thread(fn, *args):  # noqa: ANN001, ANN201
    """Run blocking set-up that starts its own event loop outside the tests' loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def run_alembic(database_url: str, *args: str) -> None:
    """Run an alembic command in a thread (env.py starts its own event loop)."""
    config = Config(PROJECT_ROOT / "alembic.ini")
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    name, *rest = args
    in_thread(getattr(command, name), config, *rest)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A URL to a PostgreSQL server (its default database) we may create databases on."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="webapp-test-pg-") as tmp:
        server = start_embedded(Path(tmp) / "pgdata")
        try:
            yield embedded_url(server)
        finally:
            server.cleanup()


@pytest.fixture(scope="session")
def make_database(server_url: str) -> Iterator:
    """Factory for fresh, empty databases on the test server, dropped at the end."""
    created: list[str] = []

    def make() -> str:
        name = f"webapp_test_{secrets.token_hex(4)}"
        in_thread(asyncio.run, _admin(server_url, f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(server_url).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in created:
        in_thread(asyncio.run, _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(make_database) -> str:
    """The session's database, migrated to head."""
    url = make_database()
    run_alembic(url, "upgrade", "head")
    return url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        var_dir=tmp_path_factory.mktemp("var"),
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def clean_db(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """Empties every table after the test (truncation works across processes too)."""
    yield engine
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def session(clean_db: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with create_sessionmaker(clean_db)() as session:
        yield session


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI, clean_db: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def user(session: AsyncSession) -> User:
    return await UserService(session).create_user("alice@example.com", PASSWORD)


async def log_in(client: httpx.AsyncClient, session: AsyncSession, user: User) -> str:
    """Give `client` a live session for `user` (no login form); returns its CSRF token.

    The token is also sent as the X-CSRF-Token header on every request, as htmx does.
    """
    raw = await SessionService(session).create_session(user.id, "pytest")
    secret = client._transport.app.state.secret_key  # type: ignore[attr-defined]
    client.cookies.set("session", cookies.signer(secret, "session").sign(raw).decode())
    token = cookies.derive_csrf_token(secret, "s:" + raw)
    client.headers["X-CSRF-Token"] = token
    return token


@pytest.fixture
async def user_client(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> httpx.AsyncClient:
    """A client logged in as `user`, sending its CSRF token as htmx would."""
    await log_in(client, session, user)
    return client


# The live server's SECRET_KEY, so tests can sign a session cookie it accepts.
SECRET = "browser-test-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_process(database_url: str, var_dir: Path, **env: str) -> Iterator[str]:
    """The app served by uvicorn in a child process on `database_url`; yields its base URL."""
    port = _free_port()
    environment = os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "ENVIRONMENT": "test",
        "VAR_DIR": str(var_dir),
        **env,
    }
    command = [sys.executable, "-m", "uvicorn", "webapp.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, "the app exited during start-up"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.1)  # polling for start-up, not timing a result
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def live_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app served by uvicorn in a child process, on the test database."""
    with app_process(database_url, tmp_path_factory.mktemp("live-var")) as base:
        yield base


async def listed(session: AsyncSession, user_id: int) -> list:
    """All of a user's tasks, newest first, as the list shows them (fresh from the database,
    whatever this session read before)."""
    from sqlmodel import col, select

    from webapp.models import Task

    query = (
        select(Task)
        .where(Task.user_id == user_id)
        .order_by(col(Task.created_at).desc(), col(Task.id).desc())
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(query)).all())
