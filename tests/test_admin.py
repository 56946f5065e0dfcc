"""`python -m webapp admin ...` as an operator runs it: a real process, the password on
standard input, one line out (or one `error:` line and a non-zero status); against the
tests' database through DATABASE_URL, and once against an embedded server in a
temporary VAR_DIR, which must be stopped again afterwards."""

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, _asyncpg_dsn, _free_port, in_thread
from tests.test_account_service import _everything, _populate
from tests.test_run import _postgres_processes
from webapp.config import PROJECT_ROOT
from webapp.models import User
from webapp.services.session_service import SessionService
from webapp.services.token_service import TokenService
from webapp.services.user_service import UserService

NEW_PASSWORD = "a brand new passphrase"


def admin(
    *args: str, url: str | None, var_dir: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """One admin command; DATABASE_URL is `url`, or unset for the embedded server."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env |= {"ENVIRONMENT": "test", "VAR_DIR": str(var_dir)}
    if url is not None:
        env["DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "webapp", "admin", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = ok(result)
    assert len(lines) == 1, result.stdout
    return lines[0]


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The error line of a command that must fail: alone on stderr, nothing on stdout."""
    assert result.returncode != 0, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


async def _rows(url: str, sql: str) -> list[tuple]:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        return [tuple(row) for row in await conn.fetch(sql)]
    finally:
        await conn.close()


def rows(url: str, sql: str) -> list[tuple]:
    """Read another database than the test's own, from outside the test's event loop."""
    return in_thread(asyncio.run, _rows(url, sql))


async def test_create_user_then_log_in(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    line = one_line(
        admin(
            "create-user",
            "New.Admin@Example.com",
            url=database_url,
            var_dir=tmp_path,
            stdin=PASSWORD + "\n",
        )
    )
    assert re.fullmatch(r"created user \d+: new\.admin@example\.com", line)

    answer = await client.post(
        "/api/auth/token", json={"email": "new.admin@example.com", "password": PASSWORD}
    )
    assert answer.status_code == 200
    assert answer.json()["access_token"].startswith("tm_")


async def test_bad_input_and_a_taken_email_are_one_line_and_change_nothing(
    session: AsyncSession, user: User, database_url: str, tmp_path: Path
) -> None:
    def create(email: str, stdin: str) -> str:
        return refused(admin("create-user", email, url=database_url, var_dir=tmp_path, stdin=stdin))

    assert create("bob@example.com", "password\n") == (
        "error: password: This password is too common. Choose one that is harder to guess."
    )
    assert create("bob@example.com", "short\n") == "error: password: Use at least 8 characters."
    assert create("not-an-email", PASSWORD + "\n") == (
        "error: email: Enter an email address like name@example.com."
    )
    assert create("bob@example.com", "") == "error: no password on standard input"
    assert create("ALICE@example.com", PASSWORD + "\n") == (
        "error: a user with email alice@example.com exists already"
    )
    assert (await session.exec(select(User.email))).all() == ["alice@example.com"]


async def test_reset_password_ends_every_session_and_revokes_every_token(
    session: AsyncSession, user: User, database_url: str, tmp_path: Path
) -> None:
    sessions = SessionService(session)
    browsers = [await sessions.create_session(user.id, f"browser {i}") for i in range(2)]
    _, token = await TokenService(session).create_token(user.id, "script")

    line = one_line(
        admin(
            "reset-password",
            "Alice@Example.com",
            url=database_url,
            var_dir=tmp_path,
            stdin=NEW_PASSWORD + "\n",
        )
    )
    assert line == "password reset for alice@example.com: 2 sessions ended, 1 API token revoked"

    assert [await sessions.authenticate(raw) for raw in browsers] == [None, None]
    assert await TokenService(session).authenticate(token) is None
    session.expire_all()  # the password hash was changed by another process
    users = UserService(session)
    assert await users.authenticate("alice@example.com", NEW_PASSWORD) is not None
    assert await users.authenticate("alice@example.com", PASSWORD) is None

    missing = admin(
        "reset-password",
        "nobody@example.com",
        url=database_url,
        var_dir=tmp_path,
        stdin=NEW_PASSWORD + "\n",
    )
    assert refused(missing) == "error: no user with email nobody@example.com"


async def test_list_users_shows_each_with_their_number_of_tasks(
    session: AsyncSession, database_url: str, tmp_path: Path
) -> None:
    assert one_line(admin("list-users", url=database_url, var_dir=tmp_path)) == "no users"
    alice = await _populate(session, "alice@example.com")  # one task left of two
    bob = (await UserService(session).create_user("bob@example.com", PASSWORD)).id

    lines = ok(admin("list-users", url=database_url, var_dir=tmp_path))
    assert len(lines) == 2
    assert re.fullmatch(rf"{alice}  alice@example\.com  \d{{4}}-\d\d-\d\d  1 task", lines[0])
    assert re.fullmatch(rf"{bob}  bob@example\.com    \d{{4}}-\d\d-\d\d  0 tasks", lines[1])


async def test_delete_user_removes_them_and_nothing_else(
    session: AsyncSession, database_url: str, tmp_path: Path
) -> None:
    alice = await _populate(session, "alice@example.com")
    bob = await _populate(session, "bob@example.com")
    before_bob = await _everything(session, bob, "bob@example.com")

    line = one_line(admin("delete-user", "alice@example.com", url=database_url, var_dir=tmp_path))
    assert line == "deleted user alice@example.com and all of their data"

    assert set((await _everything(session, alice, "alice@example.com")).values()) == {0}
    assert await _everything(session, bob, "bob@example.com") == before_bob
    again = admin("delete-user", "alice@example.com", url=database_url, var_dir=tmp_path)
    assert refused(again) == "error: no user with email alice@example.com"


USERS = "SELECT id, email, password_hash, created_at FROM users ORDER BY id"
TASKS = "SELECT id, user_id, title, completed, priority, version, created_at FROM tasks ORDER BY id"


async def test_backup_then_restore_into_an_empty_database(
    session: AsyncSession, database_url: str, make_database, tmp_path: Path
) -> None:
    await _populate(session, "alice@example.com")
    await _populate(session, "bob@example.com")
    file = tmp_path / "tasks.dump"

    line = one_line(admin("backup", str(file), url=database_url, var_dir=tmp_path))
    assert re.fullmatch(rf"backed up the database to {re.escape(str(file))} \([\d,]+ bytes\)", line)
    assert file.stat().st_mode & 0o777 == 0o600  # password hashes inside
    assert list(tmp_path.glob(".*partial")) == []

    copy = make_database()
    line = one_line(admin("restore", str(file), url=copy, var_dir=tmp_path))
    assert line == f"restored {file} and migrated the database to head"
    for query in (USERS, TASKS, "SELECT version_num FROM alembic_version"):
        assert rows(copy, query) == rows(database_url, query), query
    assert len(rows(copy, TASKS)) == 2
    # The restored database is the app's: its sequences go on after the restored ids.
    next_id = rows(copy, "SELECT nextval('users_id_seq')")[0][0]
    assert next_id > max(row[0] for row in rows(copy, USERS))


async def test_restore_refuses_what_it_cannot_do_and_leaves_the_database_empty(
    session: AsyncSession, database_url: str, make_database, tmp_path: Path
) -> None:
    file = tmp_path / "tasks.dump"
    one_line(admin("backup", str(file), url=database_url, var_dir=tmp_path))

    not_empty = refused(admin("restore", str(file), url=database_url, var_dir=tmp_path))
    assert not_empty.startswith("error: the database is not empty (")

    empty = make_database()
    missing = admin("restore", str(tmp_path / "nope.dump"), url=empty, var_dir=tmp_path)
    assert refused(missing) == f"error: no such file: {tmp_path / 'nope.dump'}"
    garbage = tmp_path / "garbage.dump"
    garbage.write_text("not an archive\n")
    assert refused(admin("restore", str(garbage), url=empty, var_dir=tmp_path)).startswith(
        "error: pg_restore failed: "
    )
    # Cut short: pg_restore fails halfway through, and nothing it sent is committed.
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(file.read_bytes()[: file.stat().st_size * 2 // 3])
    assert refused(admin("restore", str(truncated), url=empty, var_dir=tmp_path)).startswith(
        "error: "
    )
    assert rows(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_backup_of_an_unreachable_database_fails_in_one_line(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{_free_port()}/nothing"  # nobody listens
    file = tmp_path / "tasks.dump"
    line = refused(admin("backup", str(file), url=url, var_dir=tmp_path))
    assert line.startswith("error: pg_dump failed: connection to server at")
    assert list(tmp_path.iterdir()) == []  # neither the backup nor a partial one
    no_dir = refused(admin("backup", "/no/such/dir/x.dump", url=url, var_dir=tmp_path))
    assert no_dir == "error: no such directory: /no/such/dir"


def test_the_embedded_server_is_backed_up_restored_and_stopped(tmp_path: Path) -> None:
    """DATABASE_URL unset: each command starts the server under VAR_DIR and stops it."""
    pgdata = (tmp_path / "pgdata").resolve()
    empty, full = tmp_path / "empty.dump", tmp_path / "full.dump"

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        result = admin(*args, url=None, var_dir=tmp_path, stdin=stdin)
        assert _postgres_processes(pgdata) == [], f"{args} left the embedded server running"
        return result

    one_line(run("backup", str(empty)))  # a fresh server's empty database
    # Restoring it migrates to head: the schema of a database made by this code.
    assert one_line(run("restore", str(empty))).startswith("restored ")
    one_line(run("create-user", "embedded@example.com", stdin=PASSWORD + "\n"))
    assert re.fullmatch(r"1  embedded@example\.com  \S+  0 tasks", one_line(run("list-users")))
    one_line(run("backup", str(full)))

    from webapp.backup import pg_tool

    data = subprocess.run(
        [pg_tool("pg_restore"), "--data-only", "--table=users", "--file=-", str(full)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "embedded@example.com" in data
