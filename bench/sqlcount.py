"""SQL statements and database round trips per request, counted inside the app's process.

Why in-process: the live server cannot be instrumented from outside, so the app is made
again here with `create_app(Settings(...))` on the same database, and each request kind is
sent through `httpx.ASGITransport` while SQLAlchemy's engine events count:

- statements: `before_cursor_execute`;
- round trips: statements, plus every transaction `begin`, `commit` and `rollback`, plus the
  pool's pre-ping on checkout when it is on (asyncpg pings with BEGIN, ";", ROLLBACK: 3).

Round trips are an estimate from events (a rollback of a transaction that never sent
anything costs nothing); statements are exact. Each kind is sent twice and the second one
counted, so once-a-minute refreshes (a session's last_seen_at) do not land in the numbers.
"""

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.probe import check, send
from bench.seed import Login
from webapp.config import Settings
from webapp.main import create_app

EVENTS = ("before_cursor_execute", "begin", "commit", "rollback", "checkout")


@contextmanager
def counting(engine: Engine) -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    listeners = {name: _listener(counts, name) for name in EVENTS}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        yield counts
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)


def _listener(counts: Counter[str], name: str) -> Callable[..., None]:
    def listener(*args: object, **kwargs: object) -> None:
        counts[name] += 1

    return listener


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
            engine = app.state.engine.sync_engine
            pings = 3 if engine.pool._pre_ping else 0
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                for kind in kinds:
                    check(await send(c, kind, login), f"{kind} (in-process)")
                    with counting(engine) as counts:
                        check(await send(c, kind, login, flip=1), f"{kind} (in-process)")
                    statements = counts["before_cursor_execute"]
                    trips = statements + counts["begin"] + counts["commit"] + counts["rollback"]
                    result[kind] = {
                        "statements": statements,
                        "round_trips": trips + pings * counts["checkout"],
                    }
        return result
