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


def _raw(*pairs: tuple[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in pairs]


class SecurityHeadersMiddleware:
    """The same headers as apply_security_headers, appended as ready-made bytes: this runs
    on every response, and building MutableHeaders for each costs more than the app's work
    for a small fragment."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        common = [
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
        ]
        if hsts:
            common.append(("Strict-Transport-Security", HSTS))
        self.static_headers = _raw(*common)
        self.private_headers = _raw(*common, ("Cache-Control", "no-store"))
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _OURS
                ]
                headers += self.static_headers if static else self.private_headers
                if not static:
                    headers = _with_vary(headers)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_OURS = {b"content-security-policy", b"x-content-type-options", b"referrer-policy"}
_OURS |= {b"strict-transport-security", b"cache-control"}
_VARY = ", ".join(VARY).encode()


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Vary names HX-Request and HX-Request-Type, whatever else the response varies on."""
    present = [value for name, value in headers if name.lower() == b"vary"]
    if not present:
        return headers + [(b"vary", _VARY)]
    names = {v.strip().lower() for value in present for v in value.decode().split(",") if v}
    missing = [name for name in VARY if name.lower() not in names]
    if not missing:
        return headers
    others = [(n, v) for n, v in headers if n.lower() != b"vary"]
    merged = b", ".join([*present, ", ".join(missing).encode()])
    return others + [(b"vary", merged)]
