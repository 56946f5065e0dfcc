"""Several app processes share one database, directly or through PgBouncer.

Nothing that matters lives in a process: a session made on one works on the other, and a
login limit counted on one holds on the other. With DB_PGBOUNCER=true the app runs the
page and API flows through a real PgBouncer in transaction mode (Debian's package,
started here on a free port in front of the test server).
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PASSWORD, _free_port, app_process
from tests.forms import form_fields
from webapp.models import User

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def log_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    data = form_fields(client.get("/login").text, "/login") | {"email": email, "password": password}
    return client.post("/login", data=data)


def add_task(client: httpx.Client, title: str) -> httpx.Response:
    data = form_fields(client.get("/tasks").text, "/tasks") | {"title": title}
    return client.post("/tasks", data=data)


def test_two_processes_share_sessions_and_limits(
    database_url: str, tmp_path: Path, user: User
) -> None:
    with (
        app_process(database_url, tmp_path / "a") as a,
        app_process(database_url, tmp_path / "b") as b,
    ):
        with httpx.Client(base_url=a) as on_a:
            assert log_in(on_a, user.email, PASSWORD).status_code == 303
            cookie = on_a.cookies["session"]
        # The session made by process A works on process B, and B's change shows on A.
        with httpx.Client(base_url=b, cookies={"session": cookie}) as on_b:
            assert add_task(on_b, "Made on B").status_code == 303
        with httpx.Client(base_url=a, cookies={"session": cookie}) as again_a:
            assert "Made on B" in again_a.get("/tasks").text

        # Five wrong passwords on A: the sixth attempt waits on B too.
        with httpx.Client(base_url=a) as guesser:
            for _ in range(5):
                assert log_in(guesser, user.email, "wrong password!").status_code == 400
        with httpx.Client(base_url=b) as guesser_on_b:
            assert log_in(guesser_on_b, user.email, PASSWORD).status_code == 429


@pytest.fixture
def pgbouncer(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A PgBouncer in transaction mode in front of the test server; yields the app's URL."""
    if not Path(PGBOUNCER).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("pgbouncer is missing (apt-get install pgbouncer)")
        pytest.skip("pgbouncer is missing (apt-get install pgbouncer)")
    url = make_url(database_url)
    if not url.host:
        # The embedded server listens only on a socket in a private directory of ours,
        # which PgBouncer (running as the postgres user) cannot enter.
        pytest.skip("PgBouncer needs the test server on TCP (TEST_DATABASE_URL)")
    host = url.host
    port = _free_port()
    config = tmp_path / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = host={host} port={url.port or 5432} user={url.username or 'postgres'}"
        + (f" password={url.password}" if url.password else "")
        + "\n[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        "auth_type = any\npool_mode = transaction\nunix_socket_dir =\n"
        "max_client_conn = 200\ndefault_pool_size = 10\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    tmp_path.chmod(0o755)
    config.chmod(0o644)
    # PgBouncer refuses to run as root: it drops to the postgres user when started as root.
    command = [PGBOUNCER, *(["-u", "postgres"] if os.geteuid() == 0 else []), str(config)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            assert proc.poll() is None, "pgbouncer exited during start-up"
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "pgbouncer did not start"
                time.sleep(0.05)  # polling for start-up, not timing a result
        yield url.set(host="127.0.0.1", port=port, query={}).render_as_string(hide_password=False)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_pages_and_api_work_through_pgbouncer(pgbouncer: str, tmp_path: Path, user: User) -> None:
    with app_process(pgbouncer, tmp_path, DB_PGBOUNCER="true") as base:
        with httpx.Client(base_url=base) as browser:
            assert log_in(browser, user.email, PASSWORD).status_code == 303
            for n in range(20):  # enough requests to land on more than one server connection
                assert add_task(browser, f"Through the bouncer {n}").status_code == 303
            page = browser.get("/tasks?q=bouncer").text
            assert page.count("Through the bouncer") == 20
            row = browser.get("/tasks?q=bouncer%2019").text
            task_id = row.split("id=task-")[1].split(" ")[0]
            data = form_fields(row, f"/tasks/{task_id}/toggle") | {"completed": "true"}
            assert browser.post(f"/tasks/{task_id}/toggle", data=data).status_code == 303

        with httpx.Client(base_url=base) as script:
            token = script.post(
                "/api/auth/token", json={"email": user.email, "password": PASSWORD}
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            me = script.get("/api/me", headers=auth).json()["user_id"]
            created = script.post(f"/api/{me}/tasks/", json={"title": "API"}, headers=auth)
            assert created.status_code == 201
            task = created.json()
            changed = script.put(
                f"/api/{me}/tasks/{task['id']}",
                json={"completed": True},
                headers=auth | {"If-Match": created.headers["ETag"]},
            )
            assert changed.status_code == 200 and changed.json()["completed"] is True
            listed = script.get(f"/api/{me}/tasks/?limit=5", headers=auth)
            assert listed.status_code == 200 and len(listed.json()) == 5
            assert script.delete(f"/api/{me}/tasks/{task['id']}", headers=auth).status_code == 204
