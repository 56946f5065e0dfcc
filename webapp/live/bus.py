"""The live-update bus: one LISTEN connection per process, fanned out by user id.

The database announces every change itself (triggers of migration 0010 NOTIFY
`tasks_changed` with `{"u": user id, "v": version}` inside the writing transaction),
so this side only listens. One dedicated connection, not one from the pool: a pooled
connection loses its LISTEN when released, and PgBouncer in transaction mode never
delivers one. However many streams are open, the process holds one such connection.

A listener that was away missed events and nothing replays them: after every
(re)connection each local stream is told to resync, and checks the version itself.
asyncpg may only notice a dead server at TCP timeout, so the connection is also
probed every LIVE_HEALTH_SECONDS (which also keeps idle_session_timeout away).
"""

import asyncio
import contextlib
import json
import logging
import os
from dataclasses import dataclass, field

import anyio
import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "tasks_changed"
# How the listener shows in pg_stat_activity: one per app process, named by its pid.
APPLICATION_NAME = "tasks-live-listener"
PROBE_TIMEOUT = 5.0
# Between attempts to reconnect: quick at first (a restart takes a second or two), then
# no more often than every 10 s while the server stays away.
FIRST_RETRY, LAST_RETRY = 0.2, 10.0
_LOST = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass(eq=False)
class Subscriber:
    """One open stream: woken when its user's version moves, or when it must resync.

    Constant size whatever the burst: many events in a row only raise `version`."""

    user_id: int
    version: int = 0
    resync: bool = False
    # Replaced by a newer stream of the same user (the cap), or the process is stopping.
    closed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class LiveBus:
    def __init__(
        self, dsn: str | None, *, health_seconds: float = 15.0, max_streams: int = 8
    ) -> None:
        # None: no listener (behind PgBouncer without LISTEN_DATABASE_URL); streams then
        # learn of changes only when they re-check at each ping.
        self._dsn = dsn
        self._health_seconds = health_seconds
        self._max_streams = max_streams
        self._subscribers: dict[int, dict[Subscriber, None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        # Set by sse-starlette when the server is told to stop (SIGTERM), shared by every
        # stream: each then ends with a complete response, before uvicorn waits for them.
        self.stopping = anyio.Event()
        # Set while the listener is connected; for health checks and tests.
        self.listening = asyncio.Event()
        self.reconnects = 0

    # Streams -----------------------------------------------------------------------

    def subscribe(self, user_id: int) -> Subscriber:
        """A new stream of `user_id`; past the cap the user's oldest stream is closed (a
        tab long forgotten, most likely), so the newest one always works."""
        if self.stopping.is_set():
            subscriber = Subscriber(user_id)
            _close(subscriber)
            return subscriber
        streams = self._subscribers.setdefault(user_id, {})
        while len(streams) >= self._max_streams:
            oldest = next(iter(streams))
            del streams[oldest]
            _close(oldest)
        subscriber = Subscriber(user_id)
        streams[subscriber] = None
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        streams = self._subscribers.get(subscriber.user_id)
        if streams is None:
            return
        streams.pop(subscriber, None)
        if not streams:
            del self._subscribers[subscriber.user_id]

    def stream_count(self) -> int:
        return sum(len(streams) for streams in self._subscribers.values())

    def _resync_all(self) -> None:
        for streams in self._subscribers.values():
            for subscriber in streams:
                subscriber.resync = True
                subscriber.wake.set()

    def _on_notify(self, connection: object, pid: int, channel: str, payload: str) -> None:
        try:
            message = json.loads(payload)
            user_id, version = int(message["u"]), int(message["v"])
        except (ValueError, KeyError, TypeError):
            log.warning("Ignoring a malformed %s notification", CHANNEL)
            return
        for subscriber in self._subscribers.get(user_id, ()):
            if version > subscriber.version:
                subscriber.version = version
                subscriber.wake.set()

    # The listener ------------------------------------------------------------------

    async def start(self) -> None:
        self._closer = asyncio.create_task(self._close_when_stopping(), name="live-bus-closer")
        if self._dsn is not None:
            self._task = asyncio.create_task(self._run(), name="live-bus-listener")

    async def stop(self) -> None:
        """Close every local stream, then the listener's connection."""
        self._close_all()
        for task in (self._closer, self._task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._closer = None

    async def _close_when_stopping(self) -> None:
        await self.stopping.wait()
        self._close_all()

    def _close_all(self) -> None:
        for streams in self._subscribers.values():
            for subscriber in streams:
                _close(subscriber)
        self._subscribers.clear()

    async def _run(self) -> None:
        retry = FIRST_RETRY
        while True:
            try:
                connection = await asyncpg.connect(
                    self._dsn,
                    timeout=PROBE_TIMEOUT,
                    server_settings={"application_name": f"{APPLICATION_NAME} {os.getpid()}"},
                )
            except _LOST as exc:
                log.warning("Live updates: cannot listen (%s); again in %.1f s", exc, retry)
                await asyncio.sleep(retry)
                retry = min(retry * 2, LAST_RETRY)
                continue
            try:
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._on_notify)
                retry = FIRST_RETRY
                self.listening.set()
                # Whatever was sent while nobody listened is lost: every stream checks.
                self._resync_all()
                await self._watch(connection, lost)
            except _LOST as exc:
                log.warning("Live updates: listener failed (%s)", exc)
            finally:
                self.listening.clear()
                await _close_connection(connection)
            self.reconnects += 1
            log.warning("Live updates: listener connection lost; reconnecting")
            await asyncio.sleep(FIRST_RETRY)

    async def _watch(self, connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Return once the connection is gone: closed by the server, or not answering."""
        while True:
            try:
                await asyncio.wait_for(lost.wait(), self._health_seconds)
                return
            except TimeoutError:
                pass
            await asyncio.wait_for(connection.fetchval("SELECT 1"), PROBE_TIMEOUT)


def _close(subscriber: Subscriber) -> None:
    subscriber.closed = True
    subscriber.wake.set()


async def _close_connection(connection: asyncpg.Connection) -> None:
    if connection.is_closed():
        return
    try:
        await asyncio.wait_for(connection.close(), PROBE_TIMEOUT)
    except _LOST:
        connection.terminate()
    except asyncio.CancelledError:
        connection.terminate()
        raise
