"""Every list query reads one user's tasks through an index, never the whole table.

EXPLAIN on each shape of the list (every status, priority and search combination, with and
without a keyset) over a table of many users, as PostgreSQL would plan it for real data.
"""

import itertools
from datetime import UTC, datetime

import asyncpg
import pytest

from tests.conftest import _asyncpg_dsn
from webapp.models import Priority
from webapp.services.task_query import TaskFilter
from webapp.services.task_service import _counts_query, _page_query, _page_with_counts_query

FILTERS = [
    TaskFilter(completed=completed, priority=priority, search=search)
    for completed, priority, search in itertools.product(
        (None, False, True), (None, Priority.high), (None, "invoice")
    )
]


@pytest.fixture
async def many_users(database_url: str, clean_db) -> asyncpg.Connection:
    conn = await asyncpg.connect(_asyncpg_dsn(database_url))
    users = [
        await conn.fetchval(
            "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id",
            f"u{i}@example.com",
        )
        for i in range(40)
    ]
    rows = [
        (user, f"Task {n} invoice {user}" if n % 7 == 0 else f"Task {n}", n % 3 == 0)
        for user in users
        for n in range(300)
    ]
    await conn.copy_records_to_table(
        "tasks", records=rows, columns=["user_id", "title", "completed"]
    )
    await conn.execute("ANALYZE tasks")
    yield conn
    await conn.close()


def _values(view: TaskFilter, keyset: bool) -> dict:
    after = (datetime(2100, 1, 1, tzinfo=UTC), 2**31 - 1) if keyset else (None, None)
    return {"user_id": 1, "limit": 51, "after_at": after[0], "after_id": after[1]} | view.values()


async def _plan(conn: asyncpg.Connection, query, values: dict) -> str:  # noqa: ANN001
    args = [values[name] for name in query.names]
    return "\n".join(row[0] for row in await conn.fetch("EXPLAIN " + query.sql, *args))


@pytest.mark.parametrize("keyset", [False, True])
async def test_no_list_query_scans_the_whole_table(
    many_users: asyncpg.Connection, keyset: bool
) -> None:
    for view in FILTERS:
        for query in (
            _page_query(view.shape, keyset),
            _page_with_counts_query(view.shape, keyset),
            _counts_query(view.shape),
        ):
            plan = await _plan(many_users, query, _values(view, keyset))
            assert "Seq Scan on tasks" not in plan, (view, plan)
