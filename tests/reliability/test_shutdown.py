"""SIGTERM while requests are in flight, as `make run` serves with the embedded server.

Each request in flight finishes with its normal answer, new connections are refused, the
embedded PostgreSQL stops cleanly, the process exits with code 0 and leaves no PostgreSQL
process behind.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from tests.reliability.conftest import make_visitor
from tests.test_run import _free_port, _postgres_processes, _wait_healthy
from webapp.config import PROJECT_ROOT


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
    except OSError:
        return True
    return False


async def _until_waiting(conn: asyncpg.Connection, count: int) -> None:
    """Poll until `count` backends wait for a lock (polling for a state, not timing it).

    On a connection outside any transaction: inside one, pg_stat_activity is a snapshot
    taken at its first read."""
    for _ in range(500):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the requests never reached the database")


async def test_sigterm_lets_requests_finish_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    pgdata = (tmp_path / "pgdata").resolve()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env |= {"VAR_DIR": str(tmp_path), "PORT": str(port), "SECRET_KEY": "test-shutdown"}
    proc = subprocess.Popen([sys.executable, "-m", "webapp"], cwd=PROJECT_ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        assert _wait_healthy(f"{base}/healthz", proc).status_code == 200
        # Straight to the server's socket, without joining pgserver's list of its users:
        # the app must be the one to stop it.
        url = f"postgresql+asyncpg://postgres@/postgres?host={pgdata}"
        visitor = await make_visitor(url, secret="test-shutdown")
        holder = await asyncpg.connect(f"postgresql://postgres@/postgres?host={pgdata}")
        async with httpx.AsyncClient(base_url=base, cookies=visitor.cookies, timeout=30) as c:
            created = await c.post(
                f"/api/{visitor.user_id}/tasks/", json={"title": "x"}, headers=visitor.api_headers
            )
            task_id = created.json()["id"]
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", task_id)
            in_flight = [
                asyncio.create_task(
                    c.post(
                        f"/tasks/{task_id}/toggle",
                        data={"completed": "true"},
                        headers=visitor.page_headers,
                    )
                )
                for _ in range(5)
            ]
            watcher = await asyncpg.connect(f"postgresql://postgres@/postgres?host={pgdata}")
            await _until_waiting(watcher, 5)
            await watcher.close()
            proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 5
            while not _refused(port):
                assert time.monotonic() < deadline, "still accepting connections"
                await asyncio.sleep(0.05)  # polling for a state, not timing one
            await transaction.rollback()
            await holder.close()
            answers = await asyncio.gather(*in_flight)
        assert [r.status_code for r in answers] == [303] * 5
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _postgres_processes(pgdata) == []
