"""The htmx conventions, in one place: when to answer with a fragment, how an answer
made of several fragment templates is rendered, what a screen reader hears, and
post/redirect/get for plain forms.

Every HTML route and error handler answers through these, so "is this htmx?"
has one definition and a plain browser always gets a whole page.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from webapp.web.flash import Notice, set_flash
from webapp.web.templating import templates

# Responses that differ for htmx (fragment or page) must not be confused by any cache.
VARY = "HX-Request, HX-Request-Type"
# The client-side event app.js turns into a live-region announcement.
ANNOUNCE_EVENT = "announce"

Part = tuple[str, Mapping[str, Any]]


def is_fragment_request(request: Request) -> bool:
    """An htmx request for a piece of a page.

    htmx 4 sends back/forward restores without HX-Request and with type "full":
    those, like plain browser requests, get the whole page.
    """
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Request-Type") == "partial"
    )


def announce(response: Response, message: str | None) -> Response:
    """Have the page say `message` to screen readers once the swap is done (HX-Trigger).

    ASCII-escaped JSON: header values cannot carry the curly quotes of a title.
    """
    if message:
        response.headers["HX-Trigger"] = json.dumps({ANNOUNCE_EVENT: message}, ensure_ascii=True)
    return response


def render_parts(
    request: Request,
    parts: Sequence[Part],
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    title: str | None = None,
    message: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Fragments, each its own template, concatenated into one htmx answer.

    `title` becomes the tab's title (htmx reads it from a <head> in the answer);
    `message` is what a screen reader hears about the result.
    """
    base = {"request": request, **context}
    html = "".join(templates.get_template(name).render({**base, **ctx}) for name, ctx in parts)
    if title is not None:
        html = f"<head><title>{_escape(title)}</title></head>{html}"
    response = HTMLResponse(
        html, status_code=status_code, headers={"Vary": VARY, **(headers or {})}
    )
    return announce(response, message)  # type: ignore[return-value]


def render_page(
    request: Request, name: str, context: Mapping[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, dict(context), status_code=status_code)
    response.headers["Vary"] = VARY
    return response


def redirect_back(request: Request, url: str, notice: Notice | None = None) -> RedirectResponse:
    """Post/redirect/get for a plain form: to `url`, with a one-time message."""
    response = RedirectResponse(url, status_code=303, headers={"Vary": VARY})
    if notice is not None:
        set_flash(request, response, notice)
    return response


def navigate(request: Request, url: str, *, htmx_status: int = 204) -> Response:
    """Send the browser to a whole new page: htmx must not put it inside a fragment."""
    if request.headers.get("HX-Request"):
        return Response(status_code=htmx_status, headers={"HX-Redirect": url, "Vary": VARY})
    return RedirectResponse(url, status_code=303, headers={"Vary": VARY})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
