"""A request-body size limit for the JSON API, answered with a JSON 413.

Checked twice: a declared Content-Length over the limit is refused before the
body is read, and a body sent without one (chunked) is counted as it streams
in, so a client cannot get around the limit by not announcing the size.
"""

import json

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_MAX_BODY = 64 * 1024
DETAIL = "Request body too large (at most 64 KiB)"


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI passes HTTPExceptions raised while reading
    a body on to the app's handlers, which answer with JSON."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=DETAIL)


class ApiBodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int = API_MAX_BODY, prefix: str = "/api/"):
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _send_413(send)
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            # Only reached when something read the body outside a route's handlers.
            if started:
                raise
            await _send_413(send)


async def _send_413(send: Send) -> None:
    body = json.dumps({"detail": DETAIL}, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
