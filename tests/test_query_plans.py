"""Every list query reads one user's tasks through an index, never the whole table.

EXPLAIN on each shape of the list (every status, priority, search, project and label
combination, in every order, with and without a keyset) and on the sidebar's overview, over
a table of many users, as PostgreSQL would plan it for real data.
"""

import itertools
from datetime import UTC, datetime

import asyncpg
import pytest

from tests.conftest import _asyncpg_dsn
from webapp.models import Priority
from webapp.services.due_dates import Clock, DueRange
from webapp.services.overview import _overview_query
from webapp.services.task_query import Sort, TaskFilter, due_values
from webapp.services.task_service import _counts_query, _page_query

FILTERS = [
    TaskFilter(
        completed=completed, priority=priority, search=search, project_id=project, label=label
    )
    for completed, priority, search, project, label in itertools.product(
        (None, False, True), (None, Priority.high), (None, "invoice"), (None, 1), (None, "home")
    )
]
# Today and Upcoming, alone and with the other filters.
FILTERS += [
    TaskFilter(completed=completed, project_id=project, due=due)
    for completed, project, due in itertools.product(
        (None, False),
        (None, 1),
        (DueRange.today(Clock("Europe/Berlin")), DueRange.upcoming(Clock("America/New_York"))),
    )
]
KEYSETS = {
    Sort.created: (datetime(2100, 1, 1, tzinfo=UTC), 2**31 - 1),
    Sort.updated: (datetime(1970, 1, 1, tzinfo=UTC), 0),
    Sort.manual: (0, 2**31 - 1),
    Sort.priority: (1, 0, 2**31 - 1),
    Sort.due: (datetime(2100, 1, 1, tzinfo=UTC), 2**31 - 1),
}


@pytest.fixture
async def many_users(database_url: str, clean_db) -> asyncpg.Connection:
    conn = await asyncpg.connect(_asyncpg_dsn(database_url))
    users = [
        await conn.fetchval(
            "WITH u AS (INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id)"
            " INSERT INTO projects (user_id, name, is_inbox) SELECT id, 'Inbox', true FROM u"
            " RETURNING user_id",
            f"u{i}@example.com",
        )
        for i in range(40)
    ]
    inbox = dict(await conn.fetch("SELECT user_id, id FROM projects"))
    rows = [
        (
            user,
            inbox[user],
            n,
            f"Task {n} invoice {user}" if n % 7 == 0 else f"Task {n}",
            n % 3 == 0,
            ["home"] if n % 5 == 0 else [],
        )
        for user in users
        for n in range(300)
    ]
    await conn.copy_records_to_table(
        "tasks",
        records=rows,
        columns=["user_id", "project_id", "position", "title", "completed", "labels"],
    )
    await conn.execute("INSERT INTO labels (user_id, name) SELECT id, 'home' FROM users")
    await conn.execute("ANALYZE")
    yield conn
    await conn.close()


def _values(view: TaskFilter, sort: Sort, keyset: bool) -> dict:
    after = {f"after_{i}": value for i, value in enumerate(KEYSETS[sort])} if keyset else {}
    today = due_values("today", DueRange.today(Clock("Asia/Tokyo")))
    return {"user_id": 1, "limit": 51} | after | view.values() | today


async def _plan(conn: asyncpg.Connection, query, values: dict) -> str:  # noqa: ANN001
    values = query.defaults | values
    args = [values[name] for name in query.names]
    return "\n".join(row[0] for row in await conn.fetch("EXPLAIN " + query.sql, *args))


@pytest.mark.parametrize("keyset", [False, True])
async def test_no_list_query_scans_the_whole_table(
    many_users: asyncpg.Connection, keyset: bool
) -> None:
    for view in FILTERS:
        for sort in Sort:
            query = _page_query(view.shape, sort, keyset)
            plan = await _plan(many_users, query, _values(view, sort, keyset))
            assert "Seq Scan on tasks" not in plan, (view, sort, plan)
        for query in (_counts_query(view.shape), _overview_query(view.shape)):
            plan = await _plan(many_users, query, _values(view, Sort.manual, False))
            assert "Seq Scan on tasks" not in plan, (view, plan)
