"""A request-body size limit on every route, answered with 413 before the body is read.

Checked twice: a declared Content-Length over the limit is refused before any of
the body is read, and a body sent without one (chunked) is counted as it streams
in, so a client cannot get around the limit by not announcing the size. A form is
small (64 KiB is plenty); a route that takes uploads names its own, larger limit.
"""

from collections.abc import Mapping

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webapp.web.errors import error_page

MAX_BODY = 64 * 1024
API_PREFIX = "/api/"


def describe(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI passes HTTPExceptions raised while reading a body
    on to the app's handlers, which answer with the usual page or JSON."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413, detail=f"Request body too large (at most {describe(limit)})"
        )


def too_large(scope: Scope, limit: int) -> Response:
    detail = f"Request body too large (at most {describe(limit)})"
    if scope["path"].startswith(API_PREFIX):
        body = {"detail": detail, "code": "body_too_large"}
        return JSONResponse(body, status_code=413, headers={"Connection": "close"})
    response = error_page(Request(scope), 413, message=f"That was too much to send: {detail}.")
    response.headers["Connection"] = "close"
    return response


class BodyLimit:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int = MAX_BODY, paths: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = dict(paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope["path"], self.max_bytes)
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit():
            if int(declared) > limit:
                await too_large(scope, limit)(scope, receive, send)
                return
            # The server delivers exactly the declared length: nothing more to count.
            await self.app(scope, receive, send)
            return
        if "transfer-encoding" not in headers:  # no body at all (GET, HEAD, ...)
            await self.app(scope, receive, send)
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
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
            await too_large(scope, limit)(scope, receive, send)
