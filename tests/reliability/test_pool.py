"""200 clients at once against a pool of 5 connections, all of them held up by a lock.

Requests wait for a connection up to DB_POOL_TIMEOUT, then get a 503; nothing hangs, and
afterwards everything answers normally again.
"""

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx

from tests.conftest import _asyncpg_dsn, app_process
from tests.reliability.conftest import PrivateServer, make_visitor

POOL = {"DB_POOL_SIZE": "5", "DB_MAX_OVERFLOW": "0", "DB_POOL_TIMEOUT": "1"}


async def test_an_exhausted_pool_is_a_503_not_a_hang(
    private_server: PrivateServer, tmp_path: Path
) -> None:
    visitor = await make_visitor(private_server.url)
    with app_process(private_server.url, tmp_path, **POOL) as base:
        async with httpx.AsyncClient(
            base_url=base, cookies=visitor.cookies, headers=visitor.page_headers, timeout=30
        ) as client:
            created = await client.post(
                f"/api/{visitor.user_id}/tasks/", json={"title": "x"}, headers=visitor.api_headers
            )
            task_id = created.json()["id"]
            # Another connection holds the task's row: every toggle of it waits, holding one
            # of the app's five connections while it does.
            holder = await asyncpg.connect(_asyncpg_dsn(private_server.url))
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", task_id)

            started = time.monotonic()
            toggles = [
                asyncio.create_task(
                    client.post(f"/tasks/{task_id}/toggle", data={"completed": "true"})
                )
                for _ in range(200)
            ]
            # The ones that found no connection are answered after DB_POOL_TIMEOUT...
            while sum(t.done() for t in toggles) < len(toggles) - 5:
                assert time.monotonic() - started < 10, "requests waited past the pool timeout"
                await asyncio.sleep(0.05)  # polling for a state, not timing one
            done = [t for t in toggles if t.done()]
            pending = [t for t in toggles if not t.done()]
            refused = [t.result().status_code for t in done]
            assert refused and set(refused) == {503}, set(refused)
            assert all(int(t.result().headers["Retry-After"]) > 0 for t in done)
            assert len(pending) <= 5
            # ...and those holding the connections finish once the lock goes.
            await transaction.rollback()
            await holder.close()
            finished = await asyncio.gather(*pending)
            assert {r.status_code for r in finished} <= {303}
            assert time.monotonic() - started < 20

            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/tasks")).status_code == 200
