"""Migrations: up from empty, down to nothing and up again, and in step with the models."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from tests.conftest import run_alembic
from webapp.models import include_object


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _diff(url: str, metadata: sa.MetaData) -> list:
    engine = create_async_engine(url)

    def compare(conn: sa.Connection) -> list:
        opts = {"compare_server_default": True, "include_object": include_object}
        context = MigrationContext.configure(conn, opts=opts)
        return compare_metadata(context, metadata)

    async with engine.connect() as conn:
        diff = await conn.run_sync(compare)
    await engine.dispose()
    return diff


async def test_upgrade_downgrade_upgrade(make_database) -> None:
    url = make_database()
    run_alembic(url, "upgrade", "head")
    assert await _tables(url) == set(SQLModel.metadata.tables)
    run_alembic(url, "downgrade", "base")
    assert await _tables(url) == set()
    run_alembic(url, "upgrade", "head")
    assert await _tables(url) == set(SQLModel.metadata.tables)


async def test_models_and_migrations_agree(database_url: str) -> None:
    # What `alembic check` does: autogenerate against head must find nothing to do.
    assert await _diff(database_url, SQLModel.metadata) == []


async def test_the_check_notices_a_model_the_migrations_lack(database_url: str) -> None:
    extended = sa.MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(extended)
    sa.Table("not_migrated", extended, sa.Column("id", sa.Integer, primary_key=True))
    diff = await _diff(database_url, extended)
    assert [d[0] for d in diff] == ["add_table"]
