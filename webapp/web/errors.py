"""Error responses: a friendly page in the site layout, or JSON under /api/.

Never a stack trace. An unexpected error is logged with a short random
request id, and the page (or JSON) shows the same id so a report can be
matched to the log line.
"""

import logging
import secrets
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from webapp.web.redirects import same_site_referer
from webapp.web.security import apply_security_headers
from webapp.web.templating import templates

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

# Title and explanation per status, used when the exception brings no message of its own.
PAGES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "This request could not be verified. Reload the page and try again."),
    404: ("Page not found", "There is nothing at this address."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    422: ("Invalid input", "Some of what was sent is not valid. Go back and check it."),
    429: ("Too many attempts", "Too many attempts. Wait a little and try again."),
    500: ("Something went wrong", "An unexpected error happened on our side."),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


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
    if request.headers.get("HX-Request-Type") == "partial":
        # htmx 4 swaps error responses: show the message in the page's main area
        # rather than wherever the failed fragment was headed.
        headers |= {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"}
        name = "_error.html"
    else:
        name = "error.html"
    return templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=headers
    )


def _own_message(exc: StarletteHTTPException) -> str | None:
    """The exception's detail when someone wrote one; not the bare status phrase."""
    detail = exc.detail
    if isinstance(detail, str) and detail and detail != HTTPStatus(exc.status_code).phrase:
        return detail
    return None


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        # FastAPI's own handler: {"detail": ...} with the exception's headers (WWW-Authenticate).
        return await http_exception_handler(request, exc)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return error_page(request, exc.status_code, message=_own_message(exc), headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        # The API's clients rely on FastAPI's 422 list of errors: leave it exactly as is.
        return await request_validation_exception_handler(request, exc)
    # HTML forms validate their own input and re-render; this is a malformed URL or form.
    return error_page(request, 422)


async def _server_error(request: Request, exc: Exception) -> Response:
    request_id = secrets.token_hex(4)
    # The path only: a query string is user input and may hold things that must not be logged.
    log.error(
        "Unhandled error, request id %s: %s %s",
        request_id,
        request.method,
        request.url.path,
        exc_info=exc,
    )
    if _is_api(request):
        response: Response = JSONResponse(
            {"detail": "Internal server error", "request_id": request_id}, status_code=500
        )
    else:
        try:
            response = error_page(request, 500, request_id=request_id)
        except Exception:  # the layout itself may be what broke: still answer plainly
            log.exception("Error page failed, request id %s", request_id)
            response = PlainTextResponse(
                f"Something went wrong. Request id: {request_id}", status_code=500
            )
    # Starlette sends this response from its outermost layer, outside our middleware.
    apply_security_headers(
        response.headers, request.url.path, hsts=request.app.state.settings.is_production
    )
    return response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
