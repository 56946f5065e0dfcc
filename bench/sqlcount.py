"""SQL statements and database round trips per request, counted inside the app's process.

Why in-process: the live server cannot be instrumented from outside, so the app is made
again here with `create_app(Settings(...))` on the same database, and each request kind is
sent through `httpx.ASGITransport` while `webapp.db.counting_round_trips` counts every round
trip (the same count the statement-count test asserts): statements are those that are not
BEGIN/COMMIT/ROLLBACK. Each kind is sent twice and the second one counted, so
once-a-minute refreshes (a session's last_seen_at) do not land in the numbers.
"""

import tempfile
from pathlib import Path

import httpx

from bench.probe import check, send
from bench.seed import Login
from webapp.config import Settings
from webapp.db import counting_round_trips
from webapp.main import create_app

TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK")


async def count_sql(
    database_url: str, secret_key: str, login: Login, kinds: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    """{kind: {"statements": n, "round_trips": m}} for one request of each kind."""
    with tempfile.TemporaryDirectory(prefix="bench-var-") as var_dir:
        settings = Settings(
            environment="test",
            database_url=database_url,
            secret_key=secret_key,
            var_dir=Path(var_dir),
        )
        app = create_app(settings)
        result: dict[str, dict[str, int]] = {}
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                for kind in kinds:
                    check(await send(c, kind, login), f"{kind} (in-process)")
                    with counting_round_trips(app.state.engine) as sent:
                        check(await send(c, kind, login, flip=1), f"{kind} (in-process)")
                    statements = [sql for sql in sent if not sql.upper().startswith(TRANSACTION)]
                    result[kind] = {"statements": len(statements), "round_trips": len(sent)}
        return result
