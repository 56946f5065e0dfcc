"""Live updates across two app processes on one real PostgreSQL: the bus and `/events`.

A change written anywhere (here: by this test process, through the services) reaches
the user's streams on both app processes; another user's stream hears nothing of it.
Every wait is bounded by a timeout; nothing sleeps to let time pass.
"""

import asyncio
import contextlib
import json
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, SECRET, _asyncpg_dsn, app_process
from tests.sse import open_stream
from webapp.live.bus import APPLICATION_NAME, CHANNEL
from webapp.models import User
from webapp.schemas.task import TaskCreate
from webapp.services.session_service import SessionService
from webapp.services.task_service import TaskService
from webapp.services.user_service import UserService
from webapp.web import cookies

PING = 1  # seconds: LIVE_PING_SECONDS of the app processes, so a logout shows quickly


@pytest.fixture(scope="module")
def apps(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with (
        app_process(database_url, tmp_path_factory.mktemp("a"), LIVE_PING_SECONDS=str(PING)) as a,
        app_process(database_url, tmp_path_factory.mktemp("b"), LIVE_PING_SECONDS=str(PING)) as b,
    ):
        yield [a, b]


async def signed_in(session: AsyncSession, user: User) -> tuple[dict[str, str], str]:
    raw = await SessionService(session).create_session(user.id, "pytest")
    return {"session": cookies.signer(SECRET, "session").sign(raw).decode()}, raw


async def add(session: AsyncSession, user: User, title: str) -> None:
    await TaskService(session).create_task(user.id, TaskCreate(title=title))
    await session.commit()


async def version_of(session: AsyncSession, user: User) -> int:
    query = text("SELECT tasks_version FROM users WHERE id = :id").bindparams(id=user.id)
    return (await session.exec(query)).scalar_one()  # type: ignore[call-overload]


async def test_no_session_is_401_and_the_stream_is_not_cached_or_compressed(
    apps: list[str], session: AsyncSession, user: User
) -> None:
    async with httpx.AsyncClient(base_url=apps[0]) as anonymous:
        assert (await anonymous.get("/events")).status_code == 401
        # A user id in the URL means nothing.
        assert (await anonymous.get(f"/events?user_id={user.id}")).status_code == 401
    jar, _ = await signed_in(session, user)
    async with httpx.AsyncClient(base_url=apps[0], cookies=jar) as browser:
        headers = {"Accept-Encoding": "gzip, br"}
        async with open_stream(browser, headers=headers) as stream:
            response = stream.response
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["x-accel-buffering"] == "no"
            assert "content-encoding" not in response.headers
            assert (await stream.next())["comment"] == "connected"


async def test_a_change_reaches_both_processes_and_no_other_user(
    apps: list[str], session: AsyncSession, user: User
) -> None:
    other = await UserService(session).create_user("bob@example.com", PASSWORD)
    jar, _ = await signed_in(session, user)
    other_jar, _ = await signed_in(session, other)
    async with (
        httpx.AsyncClient(base_url=apps[0], cookies=jar) as on_a,
        httpx.AsyncClient(base_url=apps[1], cookies=jar) as on_b,
        httpx.AsyncClient(base_url=apps[1], cookies=other_jar) as bob,
        open_stream(on_a) as a,
        open_stream(on_b) as b,
        open_stream(bob) as bobs,
    ):
        for stream in (a, b, bobs):
            assert (await stream.next())["comment"] == "connected"
        await add(session, user, "Seen everywhere")
        version = await version_of(session, user)
        for stream in (a, b):
            event = await stream.next_event(timeout=2)
            assert event == {"event": "tasks-changed", "id": str(version), "data": str(version)}
        # Bob's first event is about his own change: Alice's never reached him.
        await add(session, other, "Bob's")
        event = await bobs.next_event(timeout=2)
        assert event["id"] == str(await version_of(session, other))


async def test_a_stale_last_event_id_gets_an_immediate_resync(
    apps: list[str], session: AsyncSession, user: User
) -> None:
    jar, _ = await signed_in(session, user)
    await add(session, user, "Made while away")
    version = await version_of(session, user)
    async with httpx.AsyncClient(base_url=apps[0], cookies=jar) as browser:
        async with open_stream(browser, headers={"Last-Event-ID": str(version - 1)}) as stream:
            assert (await stream.next(timeout=2))["id"] == str(version)
        async with open_stream(browser, params={"since": version - 1}) as stream:
            assert (await stream.next(timeout=2))["id"] == str(version)
        # Up to date: nothing to catch up on.
        async with open_stream(browser, params={"since": version}) as stream:
            assert (await stream.next(timeout=2))["comment"] == "connected"


@pytest.mark.parametrize("stale", ["-1", "abc", "9" * 5000, "1.5", "99999999999999999999"])
async def test_a_last_event_id_that_is_no_version_of_ours_means_catch_up(
    apps: list[str], session: AsyncSession, user: User, stale: str
) -> None:
    jar, _ = await signed_in(session, user)
    version = await version_of(session, user)
    async with httpx.AsyncClient(base_url=apps[0], cookies=jar) as browser:
        # ?since= from the future (a database restored from a backup): catch up too.
        params = {"since": version + 100}
        async with open_stream(browser, headers={"Last-Event-ID": stale}, params=params) as s:
            assert (await s.next(timeout=2))["id"] == str(version)


async def test_logout_ends_the_users_other_streams(
    apps: list[str], session: AsyncSession, user: User
) -> None:
    jar, raw = await signed_in(session, user)
    async with httpx.AsyncClient(base_url=apps[1], cookies=jar) as browser:
        async with open_stream(browser) as stream:
            assert (await stream.next())["comment"] == "connected"
            await SessionService(session).end_session(raw)  # a logout, from anywhere
            seen = await stream.ended(timeout=PING * 5)
            assert seen[-1] == {"event": "session-ended", "data": ""}


async def test_rollback_announces_nothing_and_a_bulk_statement_bumps_once(
    database_url: str, session: AsyncSession, user: User
) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(_asyncpg_dsn(database_url))
    writer = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        await listener.add_listener(CHANNEL, lambda *args: heard.put_nowait(args[-1]))
        project = await writer.fetchval("SELECT id FROM projects WHERE user_id = $1", user.id)
        base = await writer.fetchval("SELECT tasks_version FROM users WHERE id = $1", user.id)
        insert = (
            "INSERT INTO tasks (user_id, project_id, title, position) "
            "SELECT $1, $2, 'x' || n, n FROM generate_series(1, 50) n"
        )
        await writer.execute(insert, user.id, project)
        rolled_back = writer.transaction()
        await rolled_back.start()
        await writer.execute(insert, user.id, project)
        await rolled_back.rollback()
        # An open transaction of this user's holds no lock that another writer of the
        # same user waits on (the bump runs at commit).
        still_open = writer.transaction()
        await still_open.start()
        await writer.execute(insert, user.id, project)
        other = await asyncpg.connect(_asyncpg_dsn(database_url))
        try:
            update = "UPDATE tasks SET completed = true WHERE user_id = $1"
            await asyncio.wait_for(other.execute(update, user.id), 5)
        finally:
            await other.close()
        await still_open.rollback()
        first, second = [json.loads(await asyncio.wait_for(heard.get(), 2)) for _ in range(2)]
        assert first == {"u": user.id, "v": base + 1}  # 50 rows inserted: one bump
        assert second == {"u": user.id, "v": base + 2}  # the rolled-back insert sent nothing
        assert len(json.dumps(second)) < 40  # a few bytes, never task text
    finally:
        await listener.close()
        await writer.close()


async def test_one_listener_per_process_and_it_comes_back_after_termination(
    apps: list[str], database_url: str, session: AsyncSession, user: User
) -> None:
    users = [user] + [
        await UserService(session).create_user(f"u{n}@example.com", PASSWORD) for n in range(3)
    ]
    jars = [(await signed_in(session, u))[0] for u in users]
    admin = await asyncpg.connect(_asyncpg_dsn(database_url))
    listeners = (
        "SELECT pid, application_name FROM pg_stat_activity "
        "WHERE application_name LIKE $1 || ' %' AND datname = current_database()"
    )
    try:
        async with contextlib.AsyncExitStack() as stack:
            # Twenty streams: five for each of four users (under the cap of eight each).
            streams = []
            for jar in jars:
                browser = httpx.AsyncClient(base_url=apps[0], cookies=jar, timeout=10)
                await stack.enter_async_context(browser)
                for _ in range(5):
                    streams.append(await stack.enter_async_context(open_stream(browser)))
            for stream in streams:
                assert (await stream.next())["comment"] == "connected"
            pids = await admin.fetch(listeners, APPLICATION_NAME)
            # One per process (named by its pid), twenty streams or none; other app
            # processes of the test session may be listening too.
            names = [row["application_name"] for row in pids]
            assert len(names) == len(set(names)) >= 2
            for row in pids:
                await admin.execute("SELECT pg_terminate_backend($1)", row["pid"])
            # Made while the listeners may still be away: the resync finds it.
            await add(session, user, "Made during the outage")
            version = await version_of(session, user)
            event = await streams[0].next_event(timeout=5)
            assert int(event["id"]) == version
        async with asyncio.timeout(5):
            while len(await admin.fetch(listeners, APPLICATION_NAME)) < len(names):
                await asyncio.sleep(0.05)  # polling for a state, not timing one
    finally:
        await admin.close()


async def test_the_oldest_stream_past_the_cap_is_closed(
    apps: list[str], session: AsyncSession, user: User
) -> None:
    jar, _ = await signed_in(session, user)
    async with (
        httpx.AsyncClient(base_url=apps[0], cookies=jar, timeout=10) as browser,
        contextlib.AsyncExitStack() as stack,
    ):
        oldest = await stack.enter_async_context(open_stream(browser))
        assert (await oldest.next())["comment"] == "connected"
        # Kept referenced: a stream's reader that is collected closes its response.
        newer = [await stack.enter_async_context(open_stream(browser)) for _ in range(8)]
        for stream in newer:
            assert (await stream.next())["comment"] == "connected"
        seen = await oldest.ended(timeout=PING * 3)
        assert all("event" not in fields for fields in seen)
        assert (await newer[0].next(timeout=PING * 3))["comment"] == "ping"  # still open
