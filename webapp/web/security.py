"""Security headers on every response: pages, htmx fragments, static files and errors.

A pure ASGI middleware (no database, no request body): it only edits the
headers of the response start message, so streaming and static files pass
through untouched.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No 'unsafe-inline' or 'unsafe-eval': htmx runs without eval as long as we use no
# hx-on, trigger filters or js: values, and every script and style is a file in /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/static/"
# Responses that differ for htmx (fragment or page) must not be confused by any cache.
VARY = ("HX-Request", "HX-Request-Type")


def apply_security_headers(headers: MutableHeaders, path: str, *, hsts: bool) -> None:
    """Set the headers in place; also used for the 500 page, which bypasses middleware."""
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if hsts:
        headers["Strict-Transport-Security"] = HSTS
    if path.startswith(STATIC_PREFIX):
        return
    # Anything not static may show someone's data: never stored, so Back after
    # logout asks the server again (and is sent to the login page).
    headers["Cache-Control"] = "no-store"
    present = {v.strip().lower() for v in headers.get("Vary", "").split(",") if v.strip()}
    for name in VARY:
        if name.lower() not in present:
            headers.add_vary_header(name)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                apply_security_headers(MutableHeaders(scope=message), path, hsts=self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)
