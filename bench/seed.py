"""A fresh database for the benchmark, migrated to head and filled through COPY.

Why its own module: seeding must be fast (1,000,000 rows for the scale run) and must not go
through the app, which is being rewritten. Rows are written with asyncpg's COPY naming only
the columns we need, so columns the app adds later (with defaults) are filled by PostgreSQL.
Sessions and API tokens are made the way the app's tests make them: rows in `user_sessions`
and `api_tokens`, the cookie signed with the app's own helpers.
"""

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from threading import Thread

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from webapp.config import PROJECT_ROOT
from webapp.services.session_service import hash_token
from webapp.services.task_order import GAP
from webapp.web import cookies

# argon2id of a password nobody logs in with: one precomputed hash for every user.
PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$ND7JLt5mM0ys1+lZdseKdQ$"
    "TGzKI3OBjHoDGmKGQOBUQthYiuju5Z0RvnRGhpmfpfc"
)
# Titles that must come out escaped and intact: markup, ampersands, non-ASCII.
TITLES = (
    "Buy milk & eggs #{n}",
    "<script>alert('x{n}')</script> must stay text",
    "Réunion d'équipe n°{n} — café ☕",
    "Call Zoë about the Q{q} invoice",
    "東京オフィス: 書類 {n} を送る",
    "Fix <b>bold</b> & <i>italic</i> in report {n}",
    "Plan the Ünïcödé sprint {n}",
    "Read “Crime & Punishment”, chapter {n}",
)
DESCRIPTION = "Notes with <tags> & ampersands, ünïcode and a number: {n}"
PRIORITIES = ("low", "medium", "high")
SEARCH_WORD = "invoice"  # in one title in eight


@dataclass
class Login:
    """One seeded user as a client sees them: cookie, CSRF token, bearer token, task ids."""

    user_id: int
    cookie: str  # the Cookie header value, "session=..."
    csrf: str
    bearer: str
    task_ids: list[int] = field(default_factory=list)


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def database_server(server_url: str | None) -> Iterator[str]:
    """TEST_DATABASE_URL's server when given, else an embedded one in a temporary directory."""
    if server_url:
        yield server_url
        return
    from webapp.db import embedded_url, start_embedded

    with TemporaryDirectory(prefix="bench-pg-") as tmp:
        server = start_embedded(Path(tmp) / "pgdata")
        try:
            yield embedded_url(server)
        finally:
            server.cleanup()


async def _admin(server_url: str, sql: str) -> None:
    dsn = asyncpg_dsn(
        make_url(server_url).set(database="postgres").render_as_string(hide_password=False)
    )
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database(server_url: str, label: str) -> Iterator[str]:
    """A new database on the server, migrated to head (alembic), dropped at the end."""
    name = f"webapp_bench_{label}_{secrets.token_hex(3)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        config = Config(PROJECT_ROOT / "alembic.ini")
        config.attributes["database_url"] = url
        config.attributes["configure_logger"] = False
        # env.py runs its own event loop: keep it off any loop of ours.
        thread = Thread(target=command.upgrade, args=(config, "head"))
        thread.start()
        thread.join()
        yield url
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def trim_tasks(url: str, keep_through_id: int) -> None:
    """Delete the tasks a create phase added, so every phase starts from the seeded lists.

    Then VACUUM: the baseline adds tens of thousands per phase, and autovacuum clearing them
    would land in the middle of the next phase.
    """
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("DELETE FROM tasks WHERE id > $1", keep_through_id)
        await conn.execute("VACUUM tasks")
    finally:
        await conn.close()


async def max_task_id(url: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetchval("SELECT coalesce(max(id), 0) FROM tasks")
    finally:
        await conn.close()


def _task_rows(
    inboxes: dict[int, int], user_ids: list[int], per_user: int, now: datetime
) -> Iterator[tuple]:
    for user_id in user_ids:
        for i in range(per_user):
            n = user_id * 100_000 + i
            title = TITLES[i % len(TITLES)].format(n=n, q=i % 4 + 1)
            created = now - timedelta(minutes=i + 1, microseconds=user_id)
            description = DESCRIPTION.format(n=n) if i % 3 == 0 else None
            # In the Inbox, in the manual order the app gives them: newest on top.
            yield (
                user_id,
                inboxes[user_id],
                (i + 1) * GAP,
                title,
                description,
                i % 4 == 0,
                PRIORITIES[i % 3],
                created,
                created,
            )


async def seed(
    url: str, secret_key: str, *, users: int, tasks_each: int, logins: int, label: str
) -> list[Login]:
    """Add `users` users with `tasks_each` tasks each; sessions and tokens for the first
    `logins` of them, whose Login (with their task ids, newest first) is returned."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        now = datetime.now(UTC)
        emails = [f"{label}-{i}@bench.example" for i in range(users)]
        await conn.copy_records_to_table(
            "users",
            records=[(email, PASSWORD_HASH, now) for email in emails],
            columns=["email", "password_hash", "created_at"],
        )
        rows = await conn.fetch("SELECT id, email FROM users WHERE email = ANY($1)", emails)
        by_email = {row["email"]: row["id"] for row in rows}
        user_ids = [by_email[email] for email in emails]
        # Each user's Inbox, as registration makes it.
        inboxes = await conn.fetch(
            "INSERT INTO projects (user_id, name, is_inbox, position)"
            " SELECT id, 'Inbox', true, 0 FROM unnest($1::int[]) AS id RETURNING user_id, id",
            user_ids,
        )
        inbox_of = {row["user_id"]: row["id"] for row in inboxes}
        await conn.copy_records_to_table(
            "tasks",
            records=_task_rows(inbox_of, user_ids, tasks_each, now),
            columns=[
                "user_id",
                "project_id",
                "position",
                "title",
                "description",
                "completed",
                "priority",
                "created_at",
                "updated_at",
            ],
        )
        result = await _logins(conn, secret_key, user_ids[:logins], now)
        # VACUUM too: it sets the visibility map now, rather than autovacuum mid-phase.
        await conn.execute("VACUUM ANALYZE")
        return result
    finally:
        await conn.close()


async def _logins(
    conn: asyncpg.Connection, secret_key: str, user_ids: list[int], now: datetime
) -> list[Login]:
    sessions, tokens, result = [], [], []
    for user_id in user_ids:
        raw = secrets.token_urlsafe(32)
        bearer = "tm_" + secrets.token_urlsafe(32)
        far = now + timedelta(days=365)
        sessions.append((hash_token(raw), user_id, now, now, far, "bench (wrk)"))
        tokens.append((user_id, "bench", hash_token(bearer), now))
        signed = cookies.signer(secret_key, "session").sign(raw).decode()
        csrf = cookies.derive_csrf_token(secret_key, "s:" + raw)
        result.append(Login(user_id, f"session={signed}", csrf, bearer))
    await conn.copy_records_to_table(
        "user_sessions",
        records=sessions,
        columns=["id_hash", "user_id", "created_at", "last_seen_at", "expires_at", "user_agent"],
    )
    await conn.copy_records_to_table(
        "api_tokens", records=tokens, columns=["user_id", "name", "token_hash", "created_at"]
    )
    rows = await conn.fetch(
        "SELECT user_id, array_agg(id ORDER BY created_at DESC, id DESC) AS ids"
        " FROM tasks WHERE user_id = ANY($1) GROUP BY user_id",
        user_ids,
    )
    ids = {row["user_id"]: list(row["ids"]) for row in rows}
    for login in result:
        login.task_ids = ids.get(login.user_id, [])
    return result
