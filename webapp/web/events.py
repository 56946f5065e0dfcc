"""`GET /events`: the logged-in user's live stream (Server-Sent Events).

The stream carries no task data, only "your tasks changed" with the user's version
(`id:`, so a reconnecting browser says where it was with Last-Event-ID); each page then
fetches what it shows through its ordinary, authenticated route. The user comes from
the session cookie alone, never from the URL. Each ping re-checks the session: once it
has ended (logout, elsewhere too) the stream says `session-ended` and closes.

The stream holds no database connection while it waits: the request's session is
closed before streaming, and each check borrows a connection for one query.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from webapp.availability import database_unavailable
from webapp.db import SessionDep
from webapp.live.bus import LiveBus, Subscriber
from webapp.models.user import Account
from webapp.services.session_service import SessionService
from webapp.web.deps import OptionalUser

router = APIRouter(include_in_schema=False)

CHANGED = "tasks-changed"
SESSION_ENDED = "session-ended"
# How long the browser waits before reconnecting a stream that dropped (milliseconds).
RETRY_MS = 2000
# A client that stops reading is let go after this long, not held in memory forever.
SEND_TIMEOUT = 10.0
# After SIGTERM, how long a stream has to end by itself before it is cut (well inside
# uvicorn's 5 s for the connections to close).
SHUTDOWN_GRACE = 1.0


def _last_seen(last_event_id: str | None, since: int | None) -> int | None:
    """The version the page shows: the browser's Last-Event-ID on a reconnect, else the
    page's own `?since=` (the version it was rendered at)."""
    if last_event_id and len(last_event_id) <= 19 and last_event_id.isascii():
        if last_event_id.isdigit():
            return int(last_event_id)
    return since


@router.get("/events")
async def events(
    request: Request,
    user: OptionalUser,
    session: SessionDep,
    since: int | None = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse:
    if user is None:
        raise HTTPException(status_code=401, detail="Log in to receive live updates.")
    # Nothing of the request's database session is needed while streaming.
    await session.close()
    stream = _Stream(request, user, request.state.session_id)
    return EventSourceResponse(
        stream.events(_last_seen(last_event_id, since)),
        ping=0,  # our own pings, which also re-check the session
        send_timeout=SEND_TIMEOUT,
        # On SIGTERM: the bus closes every stream, which then ends its response whole.
        shutdown_event=stream.bus.stopping,
        shutdown_grace_period=SHUTDOWN_GRACE,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


class _Stream:
    def __init__(self, request: Request, user: Account, raw_session: str) -> None:
        self.bus: LiveBus = request.app.state.live_bus
        self.sessionmaker = request.app.state.sessionmaker
        self.ping_seconds: float = request.app.state.settings.live_ping_seconds
        self.user = user
        self.raw_session = raw_session

    async def events(self, seen: int | None) -> AsyncIterator[ServerSentEvent]:
        subscriber = self.bus.subscribe(self.user.id)
        try:
            # Read after subscribing: a change committed in between is then either in
            # this version or announced to the subscriber, never lost.
            account = await self._check()
            if account is None:
                yield ServerSentEvent(event=SESSION_ENDED, data="")
                return
            current = account.tasks_version
            sent = current if seen is None else seen
            # Changed since the page (or the last event) it has; or a version this server
            # never gave (a database restored from a backup): either way, catch up.
            if sent != current:
                sent = current
                yield _changed(sent)
            else:
                yield ServerSentEvent(comment="connected", retry=RETRY_MS)
            async for event in self._follow(subscriber, sent):
                yield event
        finally:
            self.bus.unsubscribe(subscriber)

    async def _follow(self, subscriber: Subscriber, sent: int) -> AsyncIterator[ServerSentEvent]:
        while True:
            try:
                await asyncio.wait_for(subscriber.wake.wait(), self.ping_seconds)
            except TimeoutError:
                subscriber.resync = True  # the ping: the same check as a resync
            subscriber.wake.clear()
            if subscriber.closed:
                return
            if subscriber.resync:
                subscriber.resync = False
                account = await self._check()
                if account is None:
                    yield ServerSentEvent(event=SESSION_ENDED, data="")
                    return
                subscriber.version = max(subscriber.version, account.tasks_version)
            if subscriber.version > sent:
                sent = subscriber.version
                yield _changed(sent)
            else:
                yield ServerSentEvent(comment="ping")

    async def _check(self) -> Account | None:
        """The session's user and version now; while the database is away, as before
        (a stream is not ended for an outage).

        Shielded: a stream is cancelled the moment its client goes, and a query cut off
        halfway (between asyncpg's Parse and its Sync) left its connection checked out
        and its server backend waiting mid-transaction, holding its locks, for good. The
        check, a few milliseconds, runs to its end and gives its connection back."""
        return await asyncio.shield(self._authenticate())

    async def _authenticate(self) -> Account | None:
        try:
            async with self.sessionmaker() as session:
                return await SessionService(session).authenticate(self.raw_session, seen=False)
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            return self.user


def _changed(version: int) -> ServerSentEvent:
    return ServerSentEvent(event=CHANGED, id=str(version), data=str(version))
