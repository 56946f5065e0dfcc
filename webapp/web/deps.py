"""Dependencies of the HTML routes: who is logged in, CSRF checks, the caller's task."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request

import webapp.routing  # noqa: F401  (registers the {…:id} path convertor)
from webapp.db import SessionDep
from webapp.models.task import Task
from webapp.models.user import Account
from webapp.services.session_service import SessionService
from webapp.services.task_service import TaskService
from webapp.web import cookies
from webapp.web.forms import read_form
from webapp.web.redirects import same_site_referer

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FAILED = "This form has expired or did not come from this site. Reload the page and try again."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class LoginRequired(Exception):
    """Raised by CurrentUser; the app answers with a redirect to the login page."""

    def __init__(self, next_path: str | None) -> None:
        self.next_path = next_path


async def get_optional_user(request: Request, session: SessionDep) -> Account | None:
    """The logged-in user, or None. Sets request.state.session_id for CSRF tokens."""
    if hasattr(request.state, "user"):
        return request.state.user
    request.state.user = None
    raw = cookies.read_session_id(request)
    if raw:
        found = await SessionService(session).authenticate(raw)
        if found is not None:
            request.state.session_id = raw
            request.state.user = found
    return request.state.user


OptionalUser = Annotated[Account | None, Depends(get_optional_user)]


async def get_current_user(request: Request, user: OptionalUser) -> Account:
    if user is None:
        raise LoginRequired(return_path(request))
    return user


def return_path(request: Request) -> str | None:
    """Where to come back to after logging in: this page, or for a form post the page
    the form was on (a POST cannot be replayed by a redirect)."""
    if request.method == "GET":
        path = request.url.path
        return path + "?" + request.url.query if request.url.query else path
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        if parts.netloc == request.headers.get("host"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return same_site_referer(request)


CurrentUser = Annotated[Account, Depends(get_current_user)]


def _site(scheme: str | None, host: str | None, port: int | None) -> str | None:
    """host[:port] with the default ports left out, or None for anything not http(s)."""
    if scheme not in ("http", "https") or not host:
        return None
    # The scheme itself is not compared: behind a TLS-terminating proxy the app
    # may see http while the browser says https for the very same site.
    return host.lower() if port in (None, 80, 443) else f"{host.lower()}:{port}"


def _own_site(request: Request) -> str | None:
    """This site, as the browser addressed it (the Host header), in _site's form."""
    try:
        parts = urlsplit("//" + request.headers.get("host", ""))
        return _site(request.scope["scheme"], parts.hostname, parts.port)
    except ValueError:
        return None


def _sender_site(request: Request) -> str | None:
    """The site an unsafe request says it came from ("" when the browser did not say)."""
    value = request.headers.get("origin") or request.headers.get("referer")
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        return _site(parts.scheme, parts.hostname, parts.port)
    except ValueError:
        return None


async def _sent_token(request: Request) -> str | None:
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await read_form(request)).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def _check_csrf(request: Request, user: Account | None, *, login_route: bool) -> None:
    """Refuse unsafe requests without this browser's CSRF token (form field or header).

    Requests that name another site in Origin (or, failing that, Referer) are refused
    too, even with a token: a second line should the token ever leak. "Origin: null"
    (sandboxed frames, some redirects) counts as another site.
    """
    if request.method not in UNSAFE_METHODS:
        return
    sender = _sender_site(request)
    if sender != "" and sender != _own_site(request):
        raise HTTPException(status_code=403, detail=CSRF_FAILED)
    sent = await _sent_token(request)
    if cookies.csrf_token_valid(request, sent):
        return
    if login_route and user is None and (sent or cookies.read_session_id(request)):
        # A form of ours whose session has ended (logged out in another tab, expired,
        # password changed elsewhere): nothing happens without a user anyway, so the
        # user is asked to log in again rather than shown a 403.
        raise LoginRequired(return_path(request))
    raise HTTPException(status_code=403, detail=CSRF_FAILED)


async def verify_csrf(request: Request, user: OptionalUser) -> None:
    """For the routes of a logged-in user."""
    await _check_csrf(request, user, login_route=True)


async def verify_anonymous_csrf(request: Request, user: OptionalUser) -> None:
    """For the login and registration forms, whose token comes from the pre-session."""
    await _check_csrf(request, user, login_route=False)


CsrfProtected = Depends(verify_csrf)
AnonymousCsrf = Depends(verify_anonymous_csrf)


async def get_owned_task(task_id: int, user: CurrentUser, session: SessionDep) -> Task:
    """The caller's task `task_id`; TaskNotFound (a 404) when it is not the caller's."""
    return await TaskService(session).get_task(user.id, task_id)


OwnedTask = Annotated[Task, Depends(get_owned_task)]
