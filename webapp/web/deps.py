"""Dependencies of the HTML routes: who is logged in, and CSRF checks."""

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from webapp.db import SessionDep
from webapp.models.user import User
from webapp.services.session_service import SessionService
from webapp.web import cookies

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
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise LoginRequired(path)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def login_url(next_path: str | None) -> str:
    return f"/login?next={quote(next_path, safe='/')}" if next_path else "/login"


async def verify_csrf(request: Request, user: OptionalUser) -> None:
    """Refuse unsafe requests without this session's CSRF token (form field or header)."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not cookies.csrf_token_valid(request, sent):
        raise HTTPException(status_code=403, detail="csrf")


CsrfProtected = Depends(verify_csrf)
