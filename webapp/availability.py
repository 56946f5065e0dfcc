"""Is this error "the database is not answering right now"? One answer for every layer.

While PostgreSQL is down, restarting, or every connection is busy, a request fails in the
driver (asyncpg), in SQLAlchemy's pool or in a connection timeout, each with errors of
its own. They all mean the same to a user: nothing was done, try again in a moment (a
503 with Retry-After), not "something broke" (a 500). Everything else stays a 500.
"""

import traceback

import asyncpg
from sqlalchemy import exc as sa_exc

# How long a client should wait before trying again (seconds, for Retry-After).
RETRY_AFTER = 5

# Errors that only ever mean the connection or the server is gone.
_CONNECTION_ERRORS = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and "connection was closed"
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.AdminShutdownError,  # terminated by pg_ctl stop or an administrator
    asyncpg.CrashShutdownError,
    asyncpg.InterfaceError,  # "connection is closed", "pool is closing"
    # A connection whose last statement died with the server ("another operation is in
    # progress"): refused before anything is sent, so nothing was done.
    asyncpg.InternalClientError,
    sa_exc.TimeoutError,  # SQLAlchemy's pool: every connection busy for DB_POOL_TIMEOUT
)
# Errors that mean it when they come out of the database code (a refused or timed-out
# connect, asyncpg's pool waiting for a connection).
_NETWORK_ERRORS = (OSError, TimeoutError)
_DATABASE_CODE = ("/asyncpg/", "/sqlalchemy/", "/webapp/db.py")


class DatabaseUnavailable(Exception):
    """The database did not answer; nothing was done."""


def database_unavailable(exc: BaseException) -> bool:
    for error in _chain(exc):
        if isinstance(error, (DatabaseUnavailable, *_CONNECTION_ERRORS)):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, _NETWORK_ERRORS) and _raised_in_database_code(error):
            return True
    return False


def _chain(exc: BaseException) -> list[BaseException]:
    """The error, what it wraps (SQLAlchemy's .orig) and what caused it, a few levels deep."""
    found: list[BaseException] = []
    todo = [exc]
    while todo and len(found) < 10:
        error = todo.pop()
        if error in found:
            continue
        found.append(error)
        for inner in (getattr(error, "orig", None), error.__cause__, error.__context__):
            if isinstance(inner, BaseException):
                todo.append(inner)
    return found


def _raised_in_database_code(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return any(part in frame.filename for frame in frames for part in _DATABASE_CODE)
