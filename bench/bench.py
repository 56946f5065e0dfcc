"""Speed and memory benchmark: the real app, a real PostgreSQL, a user with many tasks.

    .venv/bin/python bench/bench.py [--tasks 1000] [--requests 200]

Starts the app with uvicorn on a free port against a fresh database (on
TEST_DATABASE_URL's server, else an embedded one), seeds one user's tasks,
then times each request kind from a second process over loopback and reads
the server's resident memory. Exits 1 when a target below is missed.
"""

import argparse
import asyncio
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
import psutil
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

# Targets on the project's 2-core machine: p95 milliseconds per request kind, and RSS.
TARGET_P95_MS = {
    "list page (50 of N)": 40.0,
    "list fragment (htmx)": 35.0,
    "search fragment": 40.0,
    "create (htmx)": 30.0,
    "toggle (htmx)": 30.0,
    "api list (50)": 25.0,
}
TARGET_RSS_MB = 150.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def admin(url: str, sql: str) -> None:
    u = make_url(url).set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(u.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def seed(url: str, user_id: int, count: int) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        rows = [
            (
                user_id,
                f"Task number {i}",
                f"Details about item {i}" if i % 3 else None,
                ("low", "medium", "high")[i % 3],
                i % 4 == 0,
            )
            for i in range(count)
        ]
        await conn.executemany(
            "INSERT INTO tasks (user_id, title, description, priority, completed) "
            "VALUES ($1, $2, $3, $4, $5)",
            rows,
        )
    finally:
        await conn.close()


def timed(client: httpx.Client, n: int, call) -> list[float]:  # noqa: ANN001
    out = []
    for i in range(n):
        start = time.perf_counter()
        response = call(i)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 400, (response.status_code, response.text[:300])
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    server_url = os.environ.get("TEST_DATABASE_URL")
    embedded = None
    if not server_url:
        from webapp.db import embedded_url, start_embedded

        embedded = start_embedded(Path(tempfile.mkdtemp(prefix="bench-pg-")) / "pgdata")
        server_url = embedded_url(embedded)
    name = f"webapp_bench_{secrets.token_hex(4)}"
    asyncio.run(admin(server_url, f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    config = Config(ROOT / "alembic.ini")
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "bench", "ENVIRONMENT": "test"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "webapp.main:create_app",
            "--factory",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    failed = False
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the app did not start")
                time.sleep(0.1)

            email, password = "bench@example.com", "a long bench password"
            page = client.get("/register").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            client.post(
                "/register", data={"email": email, "password": password, "csrf_token": token}
            )
            api = client.post("/api/auth/token", json={"email": email, "password": password})
            api.raise_for_status()
            user_id, bearer = api.json()["user_id"], api.json()["access_token"]
            asyncio.run(seed(url, user_id, args.tasks))

            page = client.get("/tasks").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            hx = {
                "HX-Request": "true",
                "HX-Request-Type": "partial",
                "X-CSRF-Token": csrf,
                "HX-Current-URL": f"{base}/tasks",
            }
            ids = [int(i) for i in re.findall(r'action="/tasks/(\d+)/toggle"', page)]
            n = args.requests
            results = {
                "list page (50 of N)": timed(client, n, lambda i: client.get("/tasks")),
                "list fragment (htmx)": timed(
                    client, n, lambda i: client.get("/tasks?status=active", headers=hx)
                ),
                "search fragment": timed(
                    client, n, lambda i: client.get(f"/tasks?q=number+{i}", headers=hx)
                ),
                "create (htmx)": timed(
                    client,
                    n,
                    lambda i: client.post(
                        "/tasks", data={"title": f"bench {i}", "priority": "low"}, headers=hx
                    ),
                ),
                "toggle (htmx)": timed(
                    client,
                    n,
                    lambda i: client.post(f"/tasks/{ids[i % len(ids)]}/toggle", headers=hx),
                ),
                "api list (50)": timed(
                    client,
                    n,
                    lambda i: client.get(
                        f"/api/{user_id}/tasks/", headers={"Authorization": f"Bearer {bearer}"}
                    ),
                ),
            }
            rss_mb = psutil.Process(proc.pid).memory_info().rss / 2**20

        print(f"{args.tasks} tasks, {args.requests} requests per kind, one client, loopback")
        print(f"{'request':<24}{'p50 ms':>9}{'p95 ms':>9}{'target':>9}")
        for kind, times in results.items():
            p50 = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[-1]
            ok = p95 <= TARGET_P95_MS[kind]
            failed |= not ok
            print(
                f"{kind:<24}{p50:>9.1f}{p95:>9.1f}{TARGET_P95_MS[kind]:>9.0f} "
                f"{'ok' if ok else 'MISSED'}"
            )
        ok = rss_mb <= TARGET_RSS_MB
        failed |= not ok
        print(
            f"{'server RSS (MB)':<24}{rss_mb:>18.1f}{TARGET_RSS_MB:>9.0f} "
            f"{'ok' if ok else 'MISSED'}"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        asyncio.run(admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if embedded is not None:
            embedded.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
