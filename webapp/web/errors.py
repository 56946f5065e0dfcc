"""Error answers for people: a friendly page in the site layout, or for an htmx request
the message alone, in place of the page's main area.

Never a stack trace. An unexpected error is logged with a short random request id,
and the page shows the same id so a report can be matched to the log line.
"""

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from webapp.web import cookies, drafts
from webapp.web.deps import LoginRequired
from webapp.web.forms import read_form
from webapp.web.htmx import announce, is_fragment_request, navigate
from webapp.web.redirects import same_site_referer
from webapp.web.templating import templates

log = logging.getLogger(__name__)

# Title and explanation per status, used when the exception brings no message of its own.
PAGES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "This request could not be verified. Reload the page and try again."),
    404: ("Page not found", "There is nothing at this address."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too much data", "What was sent is larger than this page accepts."),
    422: ("Invalid input", "Some of what was sent is not valid. Go back and check it."),
    429: ("Too many attempts", "Too many attempts. Wait a little and try again."),
    500: ("Something went wrong", "An unexpected error happened on our side."),
}


def error_page(
    request: Request,
    status_code: int,
    *,
    message: str | None = None,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error page, or for an htmx fragment request the message alone, in place of <main>."""
    title, default_message = PAGES.get(
        status_code, (HTTPStatus(status_code).phrase, "The request could not be completed.")
    )
    context = {
        "status_code": status_code,
        "title": title,
        "message": message or default_message,
        "request_id": request_id,
        "back_url": same_site_referer(request) if status_code == 403 else None,
    }
    headers = dict(headers or {})
    if is_fragment_request(request):
        # htmx 4 swaps error responses: show the message in the page's main area
        # rather than wherever the failed fragment was headed.
        headers |= {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"}
        name = "_error.html"
    else:
        name = "error.html"
    return templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=headers
    )


def own_message(exc: StarletteHTTPException) -> str | None:
    """The exception's detail when someone wrote one; not the bare status phrase."""
    detail = exc.detail
    if isinstance(detail, str) and detail and detail != HTTPStatus(exc.status_code).phrase:
        return detail
    return None


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return error_page(request, exc.status_code, message=own_message(exc), headers=exc.headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    # HTML forms validate their own input and re-render; this is a malformed URL or form.
    return error_page(request, 422)


def server_error(request: Request, request_id: str) -> Response:
    try:
        return error_page(request, 500, request_id=request_id)
    except Exception:  # the layout itself may be what broke: still answer plainly
        log.exception("Error page failed, request id %s", request_id)
        return PlainTextResponse(f"Something went wrong. Request id: {request_id}", 500)


# The fields a person typed, by the label the retry page shows them under.
KEPT_FIELDS = {"title": "Title", "description": "Description", "priority": "Priority"}
UNAVAILABLE = "The database is not answering just now. Nothing was changed: try again in a moment."


async def unavailable(request: Request, retry_after: int) -> Response:
    """503 while the database is down: nothing lost. A plain form gets its text back on a
    page with a Try again button; htmx keeps the page as it is and says so in the toast."""
    headers = {"Retry-After": str(retry_after)}
    if is_fragment_request(request):
        headers |= {"HX-Retarget": "#toast", "HX-Reswap": "innerHTML"}
        body = f'<div class="toast-body"><p>{UNAVAILABLE}</p></div>'
        return announce(HTMLResponse(body, status_code=503, headers=headers), UNAVAILABLE)
    context: dict = {"action": None}
    if request.method == "POST":
        try:
            form = await read_form(request)
        except Exception:  # an unreadable body has nothing to keep
            form = None
        if form is not None:
            fields = [
                (name, value)
                for name, value in form.multi_items()
                if isinstance(value, str) and name != "csrf_token"
            ]
            shown = [(KEPT_FIELDS[n], v) for n, v in fields if n in KEPT_FIELDS and v.strip()]
            context = {
                "action": request.url.path,
                "fields": fields,
                "shown": shown,
                "token": cookies.csrf_token_from_cookie(request),
            }
    return templates.TemplateResponse(
        request, "unavailable.html", context, status_code=503, headers=headers
    )


def login_url(next_path: str | None) -> str:
    return f"/login?next={quote(next_path, safe='/')}" if next_path else "/login"


async def login_required(request: Request, exc: LoginRequired) -> Response:
    """To the login page, and back to `next_path` afterwards; a form's typed text is kept."""
    draft = await drafts.from_request(request)
    next_path = drafts.resume_path(draft, exc.next_path) if draft else exc.next_path
    response = navigate(request, login_url(next_path), htmx_status=401)
    if draft is not None:
        drafts.save(request, response, draft)
    return response
