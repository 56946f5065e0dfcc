"""Memory of idle live streams: one app worker, 1,000 open `/events` streams.

Why its own script: the figure is a property of a running uvicorn process, which the
test suite does not keep around long enough to measure. It serves the app on the
database named by the argument (already migrated; 125 users are added to it), opens
125 users x 8 streams, and prints the worker's RSS before, with the streams open, and
after they close, over three rounds, plus the NOTIFY-to-stream delay on 1,000 streams.

    .venv/bin/python -m bench.streams postgresql+asyncpg://postgres@127.0.0.1/scratch
"""

import asyncio
import contextlib
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import asyncpg
import httpx
import psutil

from tests.conftest import SECRET, _asyncpg_dsn, app_process
from tests.sse import open_stream
from webapp.models.base import utcnow
from webapp.services.session_service import hash_token
from webapp.web import cookies

USERS, PER_USER = 125, 8


async def _sessions(db: asyncpg.Connection) -> list[tuple[int, str]]:
    made = []
    for n in range(USERS):
        user_id = await db.fetchval(
            "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id",
            f"streams-{secrets.token_hex(4)}-{n}@example.com",
        )
        await db.execute(
            "INSERT INTO projects (user_id, name, is_inbox) VALUES ($1, 'Inbox', true)", user_id
        )
        raw, now = secrets.token_urlsafe(32), utcnow()
        await db.execute(
            "INSERT INTO user_sessions (id_hash, user_id, created_at, last_seen_at, expires_at,"
            " user_agent) VALUES ($1, $2, $3, $3, $4, 'bench')",
            hash_token(raw),
            user_id,
            now,
            now + timedelta(days=1),
        )
        made.append((user_id, cookies.signer(SECRET, "session").sign(raw).decode()))
    return made


def _rss(port: int) -> float:
    for proc in psutil.process_iter(["cmdline"]):
        if str(port) in " ".join(proc.info["cmdline"] or []):
            return proc.memory_info().rss / 2**20
    raise RuntimeError("app process not found")


async def _round(base: str, port: int, users: list[tuple[int, str]], db: asyncpg.Connection):
    limits = httpx.Limits(max_connections=USERS * PER_USER + 10)
    async with contextlib.AsyncExitStack() as stack:
        streams = []
        for user_id, cookie in users:
            client = httpx.AsyncClient(
                base_url=base, cookies={"session": cookie}, timeout=30, limits=limits
            )
            await stack.enter_async_context(client)
            for _ in range(PER_USER):
                stream = await stack.enter_async_context(open_stream(client))
                await stream.next(timeout=30)
                streams.append((user_id, stream))
        opened = _rss(port)
        # The delay from a committed change to its event, on one stream per user.
        delays = []
        for user_id, stream in streams[::PER_USER][:20]:
            started = time.perf_counter()
            await db.execute(
                "UPDATE projects SET name = name WHERE user_id = $1 AND is_inbox", user_id
            )
            await stream.next_event(timeout=10)
            delays.append(time.perf_counter() - started)
    return opened, delays


async def main(url: str) -> None:
    db = await asyncpg.connect(_asyncpg_dsn(url))
    users = await _sessions(db)
    with TemporaryDirectory() as var, app_process(url, Path(var)) as base:
        port = int(base.rsplit(":", 1)[1])
        idle = _rss(port)
        print(f"worker RSS, no stream: {idle:.1f} MB")
        for n in range(3):
            opened, delays = await _round(base, port, users, db)
            await asyncio.sleep(1)  # the closed streams' tasks finish: a measurement pause
            closed = _rss(port)
            per = (opened - idle) * 1024 / (USERS * PER_USER)
            p95 = statistics.quantiles(delays, n=20)[-1] * 1000
            print(
                f"round {n + 1}: {USERS * PER_USER} streams {opened:.1f} MB "
                f"({per:.0f} KiB each), after close {closed:.1f} MB, "
                f"NOTIFY to event p95 {p95:.0f} ms"
            )
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
