"""A small Server-Sent Events reader for tests, on an httpx streaming response.

Every wait is bounded: `next()` fails after `timeout` seconds instead of hanging.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx


class EventStream:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self, timeout: float = 5.0) -> dict[str, str]:
        """The next event or comment, as its fields ({"event", "id", "data"} or {"comment"})."""
        async with asyncio.timeout(timeout):
            fields: dict[str, str] = {}
            async for line in self._lines:
                if line == "":
                    if fields:
                        return fields
                    continue
                if line.startswith(":"):
                    fields.setdefault("comment", line[1:].strip())
                    continue
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
            if fields:
                return fields
            raise EOFError("the stream ended")

    async def next_event(self, timeout: float = 5.0) -> dict[str, str]:
        """The next named event, past comments (pings) and retry hints."""
        async with asyncio.timeout(timeout):
            while True:
                fields = await self.next(timeout)
                if "event" in fields:
                    return fields

    async def ended(self, timeout: float = 5.0) -> list[dict[str, str]]:
        """Everything until the server closes the stream."""
        seen = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    seen.append(await self.next(timeout))
        except EOFError:
            return seen


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient, path: str = "/events", **kwargs: object
) -> AsyncIterator[EventStream]:
    async with client.stream("GET", path, **kwargs) as response:  # type: ignore[arg-type]
        yield EventStream(response)
