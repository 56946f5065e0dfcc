"""Dependencies of the HTML routes: who is logged in, and CSRF checks."""

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request

from webapp.db import SessionDep
from webapp.models.task import Task
from webapp.models.user import User
from webapp.services.session_service import SessionService
from webapp.services.task_service import TaskService
from webapp.web import cookies
from webapp.web.redirects import same_site_referer

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(Exception):
    """Raised by CurrentUser; the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


async def get_optional_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in user, or None. Sets request.state.session_id for CSRF tokens."""
    if hasattr(request.state, "user"):
        return request.state.user
    request.state.user = None
    raw = cookies.read_session_id(request)
    if raw:
        found = await SessionService(session).authenticate(raw)
        if found is not None:
            request.state.session_id = raw
            request.state.user = found[1]
    return request.state.user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_current_user(request: Request, user: OptionalUser) -> User:
    if user is None:
        raise LoginRequired(_return_path(request))
    return user


def _return_path(request: Request) -> str | None:
    """Where to come back to after logging in: this page, or for a form post the page
    the form was on (a POST cannot be replayed by a redirect)."""
    if request.method == "GET":
        path = request.url.path
        return path + "?" + request.url.query if request.url.query else path
    return same_site_referer(request)


CurrentUser = Annotated[User, Depends(get_current_user)]


def login_url(next_path: str | None) -> str:
    return f"/login?next={quote(next_path, safe='/')}" if next_path else "/login"


CSRF_FAILED = "This form has expired or did not come from this site. Reload the page and try again."


def _site(scheme: str | None, host: str | None, port: int | None) -> str | None:
    """host[:port] with the default ports left out, or None for anything not http(s)."""
    if scheme not in ("http", "https") or not host:
        return None
    # The scheme itself is not compared: behind a TLS-terminating proxy the app
    # may see http while the browser says https for the very same site.
    return host.lower() if port in (None, 80, 443) else f"{host.lower()}:{port}"


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


async def verify_csrf(request: Request, user: OptionalUser) -> None:
    """Refuse unsafe requests without this session's CSRF token (form field or header).

    Requests that name another site in Origin (or, failing that, Referer) are refused
    too, even with a token: a second line should the token ever leak. "Origin: null"
    (sandboxed frames, some redirects) counts as another site.
    """
    if request.method not in UNSAFE_METHODS:
        return
    sender = _sender_site(request)
    if sender != "" and sender != _site(request.url.scheme, request.url.hostname, request.url.port):
        raise HTTPException(status_code=403, detail=CSRF_FAILED)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not cookies.csrf_token_valid(request, sent):
        if user is None and cookies.read_session_id(request):
            # Our own, genuine session cookie whose session has ended (expired, or logged
            # out elsewhere): the form is simply stale. Log in again, rather than a 403.
            raise LoginRequired(_return_path(request))
        raise HTTPException(status_code=403, detail=CSRF_FAILED)


CsrfProtected = Depends(verify_csrf)


async def get_owned_task(task_id: int, user: CurrentUser, session: SessionDep) -> Task:
    """The caller's task `task_id`; 404 when it does not exist or is someone else's.

    Never 403: no one learns which ids exist.
    """
    task = await TaskService(session).get_task_by_id(user.id, task_id)
    if task is None:
        raise HTTPException(status_code=404, detail="There is no such task.")
    return task


OwnedTask = Annotated[Task, Depends(get_owned_task)]
