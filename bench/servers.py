"""The servers under load, each one uvicorn process with production-like settings.

Why its own module: ours and the baseline must be started the same way (one worker, no
reload, no access log, uvloop + httptools) for their numbers to be comparable, and the
app's memory is read from outside, by psutil, while it serves.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench import wrkrun
from bench.seed import asyncpg_dsn
from webapp.config import PROJECT_ROOT

SAMPLE_EVERY = 0.2  # seconds between RSS samples
# Each server's output: wrk hangs up mid-request at the end of every phase, and the app logs
# each such ClientDisconnect with a traceback. Kept out of the table, not thrown away.
LOGS = Path(__file__).resolve().parent / "results"


def log_summary() -> dict[str, dict[str, int]]:
    """Per server log: tracebacks, and those not ending in a client hanging up (wrk does, with
    requests in flight, at the end of every phase)."""
    out = {}
    for path in sorted(LOGS.glob("*.log")):
        text = path.read_text(errors="replace")
        tracebacks = text.count("Traceback (most recent call last)")
        hangups = text.count("\nstarlette.requests.ClientDisconnect")
        out[path.stem] = {
            "tracebacks": tracebacks,
            "other_than_client_disconnect": tracebacks - hangups,
        }
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RssSampler:
    """The resident memory of one process, every 0.2 s, in a background thread."""

    pid: int
    samples: list[tuple[float, int]] = field(default_factory=list)  # (monotonic, bytes)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        process = psutil.Process(self.pid)
        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic(), process.memory_info().rss))
            except psutil.Error:
                return
            self._stop.wait(SAMPLE_EVERY)

    def peak_mb(self, since: float = 0.0) -> float:
        return max((rss for t, rss in self.samples if t >= since), default=0) / 2**20

    def median_mb(self, start: float, end: float) -> float:
        window = sorted(rss for t, rss in self.samples if start <= t <= end)
        return window[len(window) // 2] / 2**20 if window else 0.0


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    rss: RssSampler

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def load(
        self, kind: str, users_file: Path, seconds: float, path: str | None = None
    ) -> wrkrun.Phase:
        """One wrk phase against this server; a server gone meanwhile is said as such."""
        try:
            phase = wrkrun.run(self.url, kind, users_file, seconds, path=path)
        except RuntimeError:
            self.check_alive(kind)
            raise
        self.check_alive(kind)
        return phase

    def check_alive(self, during: str) -> None:
        code = self.process.poll()
        if code is not None:
            how = f"signal {-code}" if code < 0 else f"status {code}"
            raise RuntimeError(
                f"{self.name} (pid {self.process.pid}) ended with {how} during {during}."
                f" If that was not its own crash (see {LOGS / self.name}.log), something else"
                " on the machine killed it."
            )


def _uvicorn(app: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


@contextmanager
def serve(name: str, database_url: str, secret_key: str, ready_path: str) -> Iterator[Server]:
    """Start "ours" (webapp.main) or "baseline" (bench/baseline.py) and wait for ready_path."""
    port = free_port()
    env = os.environ | {
        "ENVIRONMENT": "test",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "ACCESS_LOG": "false",
        "BASELINE_DSN": asyncpg_dsn(database_url),
    }
    app = "webapp.main:create_app" if name == "ours" else "bench.baseline:create_app"
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{name}.log"
    with log_path.open("a") as log:
        log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(_uvicorn(app, port))}\n")
        log.flush()
        process = subprocess.Popen(
            _uvicorn(app, port), cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = Server(name, process, port, RssSampler(process.pid))
    try:
        try:
            _wait_ready(server, ready_path)
        except RuntimeError as exc:
            raise RuntimeError(
                f"{exc}; its log, {log_path}:\n{log_path.read_text()[-3000:]}"
            ) from exc
        server.rss.start()
        yield server
    finally:
        server.rss.stop()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.url, timeout=5) as client:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {server.process.returncode}")
            try:
                if client.get(path).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.name} did not answer {path} within {timeout:.0f} s")
            time.sleep(0.1)
