"""Which user-supplied addresses we are willing to redirect (or link) to."""

from urllib.parse import urlsplit

from fastapi import Request

MAX_NEXT_LENGTH = 2000


def safe_next_path(value: str | None) -> str | None:
    """`value` if it is a path on this site ("/tasks?q=x"), else None.

    Refuses everything a browser could read as another site: "//evil",
    "/\\evil" (browsers treat "\\" as "/"), "https:...", "javascript:...",
    and control characters, which browsers strip before parsing.
    """
    if not value or len(value) > MAX_NEXT_LENGTH:
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or not value.isprintable():
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return value


def same_site_referer(request: Request) -> str | None:
    """The page on this site the request came from (path and query), from Referer."""
    referer = request.headers.get("referer")
    if not referer:
        return None
    try:
        parts = urlsplit(referer)
    except ValueError:
        return None
    if parts.netloc != request.url.netloc:
        return None
    return safe_next_path(parts.path + (f"?{parts.query}" if parts.query else ""))
