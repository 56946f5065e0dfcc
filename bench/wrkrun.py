"""wrk on loopback: write the users table the Lua script rotates over, run one phase, parse it.

Why its own module: wrk is the load generator (C, one thread, 16 connections: it costs the
server far less CPU than a Python client would), and its numbers reach us only through the
JSON line `bench/wrk/rotate.lua` prints from its done() hook.
"""

import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.seed import Login

LUA = Path(__file__).resolve().parent / "wrk" / "rotate.lua"
# The title every create sends: markup, an ampersand and non-ASCII, as the seeded ones.
CREATE_TITLE = "Neue Aufgabe <b>& ünïcode</b> ✓"
KINDS = ("list", "row", "create", "toggle", "api")


@dataclass
class Phase:
    """One wrk run against one server."""

    kind: str
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # connect, read, write, timeouts and statuses >= 400
    status_errors: int
    bytes_per_request: float

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def _lua(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_users(path: Path, host: str, logins: list[Login], *, baseline: bool = False) -> Path:
    """The Lua table rotate.lua loads: per user their Cookie, CSRF token, bearer and tasks.

    The baseline gets the same users and task ids, but a plain `uid` cookie and no secrets.
    """
    lines = [
        "return {",
        f"  host = {_lua(host)},",
        f"  create_body = {_lua(urlencode({'title': CREATE_TITLE}))},",
        "  users = {",
    ]
    for login in logins:
        cookie = f"uid={login.user_id}" if baseline else login.cookie
        csrf = "-" if baseline else login.csrf
        bearer = "-" if baseline else login.bearer
        tasks = ", ".join(str(i) for i in login.task_ids[:50])
        lines.append(
            f"    {{ uid = {login.user_id}, cookie = {_lua(cookie)}, csrf = {_lua(csrf)},"
            f" bearer = {_lua(bearer)}, tasks = {{ {tasks} }} }},"
        )
    lines += ["  },", "}", ""]
    path.write_text("\n".join(lines))
    return path


def run(
    base_url: str,
    kind: str,
    users_file: Path,
    seconds: float,
    *,
    path: str | None = None,
    connections: int = 16,
) -> Phase:
    """One phase: `wrk -t1 -c16 --timeout 5s` for `seconds`, the numbers from done()."""
    env = os.environ | {"BENCH_DATA": str(users_file), "BENCH_KIND": kind}
    if path is not None:
        env["BENCH_PATH"] = path
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        base_url,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed ({done.returncode}) for {kind} on {base_url}:\n{done.stdout}{done.stderr}"
        )
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    requests = raw["requests"]
    duration = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return Phase(
        kind=kind,
        seconds=round(duration, 2),
        requests=requests,
        rps=requests / duration if duration else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors=socket_errors + raw["status"],
        status_errors=raw["status"],
        bytes_per_request=raw["bytes"] / requests if requests else 0.0,
    )
