"""SIGTERM with fifty live streams open, as `make run` serves with the embedded server.

Streams never end by themselves, and uvicorn waits for open connections before it
shuts the app down: the streams must be closed on the signal (sse-starlette), then the
listener, so the process exits with code 0 within 5 s and PostgreSQL stops cleanly.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.reliability.conftest import make_visitor
from tests.sse import open_stream
from tests.test_run import _free_port, _postgres_processes, _wait_healthy
from webapp.config import PROJECT_ROOT

STREAMS = 50


async def test_sigterm_with_fifty_open_streams_exits_within_five_seconds(tmp_path: Path) -> None:
    port = _free_port()
    pgdata = (tmp_path / "pgdata").resolve()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env |= {"VAR_DIR": str(tmp_path), "PORT": str(port), "SECRET_KEY": "test-live-shutdown"}
    env |= {"LIVE_MAX_STREAMS": str(STREAMS)}  # all fifty for one user
    proc = subprocess.Popen([sys.executable, "-m", "webapp"], cwd=PROJECT_ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        assert _wait_healthy(f"{base}/healthz", proc).status_code == 200
        url = f"postgresql+asyncpg://postgres@/postgres?host={pgdata}"
        visitor = await make_visitor(url, secret="test-live-shutdown")
        limits = httpx.Limits(max_connections=STREAMS + 5)
        async with (
            httpx.AsyncClient(
                base_url=base, cookies=visitor.cookies, timeout=10, limits=limits
            ) as browser,
            contextlib.AsyncExitStack() as stack,
        ):
            streams = [
                await stack.enter_async_context(open_stream(browser)) for _ in range(STREAMS)
            ]
            for stream in streams:
                assert (await stream.next())["comment"] == "connected"
            proc.send_signal(signal.SIGTERM)
            started = time.monotonic()
            ended = await asyncio.gather(*(stream.ended(timeout=5) for stream in streams))
            assert len(ended) == STREAMS
            code = await asyncio.to_thread(proc.wait, 5)
            elapsed = time.monotonic() - started
        assert code == 0
        assert elapsed < 5, f"took {elapsed:.1f} s"
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _postgres_processes(pgdata) == []
