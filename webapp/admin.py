"""`python -m webapp admin <command>`: the administrator's command line.

A front end like the routes: it parses, calls the services (and webapp.backup, the one
place with SQL of its own: a restore must see that the database is empty), and prints
one line. Expected failures (a bad email, a weak password, an unknown user, a missing
file, a database that is not empty, pg_dump failing) are one line on stderr and exit
status 1, never a traceback: the operator needs the reason, not our stack.

Passwords are never arguments, which would stay in the shell's history and show in `ps`:
piped, they are one line of standard input; at a terminal, they are asked twice, unechoed.

With DATABASE_URL unset the embedded server under VAR_DIR is used, as the app uses it:
joined when the app is running, else started for the command and stopped after it.
"""

import argparse
import asyncio
import getpass
import socket
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import DBAPIError

from webapp import backup
from webapp.config import ConfigError, Settings, get_settings
from webapp.db import create_engine, create_sessionmaker, embedded_url, start_embedded
from webapp.schemas.user import NewPassword, UserRegister
from webapp.services.admin_service import AdminService, NoSuchUser, UserSummary
from webapp.services.user_service import EmailTakenError, normalize_email

T = TypeVar("T")
_NEW_PASSWORD: TypeAdapter[str] = TypeAdapter(NewPassword)
UNDEFINED_TABLE = "42P01"  # SQLSTATE: a command ran before the migrations


class AdminError(Exception):
    """An expected failure: its message is the one line the operator sees."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m webapp admin",
        description="Manage accounts and back up the database (DATABASE_URL, else embedded).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    new_password = " The password: one line on standard input, else asked twice."
    create = commands.add_parser("create-user", help="add an account." + new_password)
    create.add_argument("email")
    reset = commands.add_parser(
        "reset-password",
        help="set a new password, end every session, revoke every API token." + new_password,
    )
    reset.add_argument("email")
    commands.add_parser("list-users", help="id, email, created date and tasks of each user")
    delete = commands.add_parser("delete-user", help="delete an account and all of its data")
    delete.add_argument("email")
    dump = commands.add_parser("backup", help="pg_dump the database (custom format) to FILE")
    dump.add_argument("file", type=Path, metavar="FILE")
    load = commands.add_parser("restore", help="pg_restore FILE into an empty database, migrate")
    load.add_argument("file", type=Path, metavar="FILE")
    return parser


def read_password() -> str:
    """A new password: one line of a pipe or file, or typed twice at a terminal."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise AdminError("no password on standard input")
        return line.rstrip("\r\n")
    password = getpass.getpass("New password: ")
    if getpass.getpass("Repeat the new password: ") != password:
        raise AdminError("the two passwords differ")
    return password


def _problems(exc: ValidationError) -> str:
    """The schema's own sentences ("password: Use at least 8 characters."), on one line."""
    out = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "password"
        ctx = error.get("ctx") or {}
        out.append(f"{field}: {ctx['error'] if 'error' in ctx else error['msg']}")
    return "; ".join(out)


def new_account(email: str, password: str) -> UserRegister:
    try:
        return UserRegister.model_validate({"email": email, "password": password})
    except ValidationError as exc:
        raise AdminError(_problems(exc)) from None


def new_password(password: str) -> str:
    try:
        return _NEW_PASSWORD.validate_python(password)
    except ValidationError as exc:
        raise AdminError(_problems(exc)) from None


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The app's database URL: DATABASE_URL, or the embedded server, left as it was found."""
    if settings.database_url:
        yield settings.database_url
        return
    with warnings.catch_warnings():
        # platformdirs warns on import when XDG_RUNTIME_DIR is unset (cron, sudo, containers):
        # noise on stderr, which here is for the one line that matters.
        warnings.simplefilter("ignore")
        server = start_embedded(settings.pgdata_dir)
    try:
        yield embedded_url(server)
    finally:
        server.cleanup()  # stops it only if we started it and no app has joined since


def with_service(url: str, settings: Settings, use: Callable[[AdminService], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(url, settings)
        try:
            async with create_sessionmaker(engine)() as session:
                return await use(AdminService(session))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def user_lines(users: list[UserSummary]) -> list[str]:
    if not users:
        return ["no users"]
    id_width = max(len(str(user.id)) for user in users)
    email_width = max(len(user.email) for user in users)
    return [
        f"{user.id:>{id_width}}  {user.email:<{email_width}}  {user.created_at:%Y-%m-%d}"
        f"  {_plural(user.tasks, 'task')}"
        for user in users
    ]


def create_user(args: argparse.Namespace, url: str, settings: Settings) -> list[str]:
    account: UserRegister = args.account
    try:
        user = with_service(url, settings, lambda s: s.create_user(account.email, account.password))
    except EmailTakenError:
        raise AdminError(f"a user with email {account.email} exists already") from None
    return [f"created user {user.id}: {user.email}"]


def reset_password(args: argparse.Namespace, url: str, settings: Settings) -> list[str]:
    sessions, tokens = with_service(
        url, settings, lambda s: s.reset_password(args.email, args.password)
    )
    ended = f"{_plural(sessions, 'session')} ended, {_plural(tokens, 'API token')} revoked"
    return [f"password reset for {normalize_email(args.email)}: {ended}"]


def list_users(args: argparse.Namespace, url: str, settings: Settings) -> list[str]:
    return user_lines(with_service(url, settings, lambda s: s.list_users()))


def delete_user(args: argparse.Namespace, url: str, settings: Settings) -> list[str]:
    with_service(url, settings, lambda s: s.delete_user(args.email))
    return [f"deleted user {normalize_email(args.email)} and all of their data"]


def backup_to(args: argparse.Namespace, url: str, settings: Settings) -> list[str]:
    size = backup.dump(url, args.file)
    return [f"backed up the database to {args.file} ({size:,} bytes)"]


def restore_from(args: argparse.Namespace, url: str, settings: Settings) -> list[str]:
    from webapp.migrate import migrate  # imported here: alembic is slow to import

    if not args.file.is_file():
        raise AdminError(f"no such file: {args.file}")
    target = asyncio.run(backup.inspect(url))
    if target.tables:
        raise AdminError(
            f"the database is not empty ({_plural(target.tables, 'table')}): restore only into an"
            " empty database (a new one, or a new VAR_DIR for the embedded server)"
        )
    backup.restore(url, args.file, target)
    # The backup may be older than this code: bring its schema to what the app expects.
    migrate(url)
    return [f"restored {args.file} and migrated the database to head"]


COMMANDS: dict[str, Callable[[argparse.Namespace, str, Settings], list[str]]] = {
    "create-user": create_user,
    "reset-password": reset_password,
    "list-users": list_users,
    "delete-user": delete_user,
    "backup": backup_to,
    "restore": restore_from,
}


def run(args: argparse.Namespace, settings: Settings) -> list[str]:
    """Carry out one command; returns the lines to print. Raises AdminError and the like."""
    # Input first: nothing is started or connected while a person is typing.
    if args.command == "create-user":
        args.account = new_account(args.email, read_password())
    elif args.command == "reset-password":
        args.password = new_password(read_password())
    with database(settings) as url:
        return COMMANDS[args.command](args, url, settings)


def _database_problem(exc: BaseException) -> str:
    """One line for a database that cannot be reached or is not the app's (yet)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == UNDEFINED_TABLE:
        return "the database has no tables yet: migrate it (make migrate) or restore a backup"
    lines = str(orig or exc).strip().splitlines()
    return f"database: {lines[0] if lines else type(exc).__name__}"


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    try:
        settings.check()
        lines = run(args, settings)
    except (AdminError, ConfigError, backup.BackupError) as exc:
        return _fail(str(exc))
    except NoSuchUser as exc:
        return _fail(f"no user with email {normalize_email(str(exc))}")
    except (DBAPIError, ConnectionError, TimeoutError, socket.gaierror) as exc:
        return _fail(_database_problem(exc))  # unreachable, refused, no such database
    except OSError as exc:  # a file that cannot be read or written, a tool that will not run
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", status=130)
    for line in lines:
        print(line)
    return 0


def _fail(message: str, status: int = 1) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status
