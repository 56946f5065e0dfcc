"""Register, log in and log out.

Every form here carries a CSRF token (login CSRF too: before login the token
comes from a signed pre-session cookie). A login always starts a new session
id and ends the one the browser had, so an id planted beforehand is useless.
"""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import SessionDep
from webapp.models.user import User
from webapp.schemas.user import UserLogin, UserRegister
from webapp.services.login_throttle import LoginThrottle
from webapp.services.session_service import SessionService
from webapp.services.user_service import EmailTakenError, UserService
from webapp.web import cookies
from webapp.web.deps import CsrfProtected, OptionalUser
from webapp.web.forms import field_errors
from webapp.web.redirects import safe_next_path
from webapp.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])

HOME = "/tasks"
# The same words whatever was wrong: unknown email, wrong password or malformed input.
INVALID_LOGIN = "Invalid email or password."
EMAIL_TAKEN = "An account with this email already exists. Log in instead."

FormStr = Annotated[str, Form()]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def too_many_attempts(retry_after: int, what: str = "failed attempts") -> HTTPException:
    minutes = max(1, -(-retry_after // 60))
    unit = "minute" if minutes == 1 else "minutes"
    return HTTPException(
        status_code=429,
        detail=f"Too many {what}. Try again in {minutes} {unit}.",
        headers={"Retry-After": str(retry_after)},
    )


async def log_in(request: Request, response: Response, session: AsyncSession, user: User) -> None:
    """Give the browser a brand-new session for `user`, ending whatever session it had."""
    sessions = SessionService(session)
    previous = cookies.read_session_id(request)
    if previous:
        await sessions.end_session(previous)
    # Housekeeping piggybacks on logins: no background job, and logins are rare enough.
    await sessions.purge_expired()
    await LoginThrottle(session).purge_old()
    raw = await sessions.create_session(user.id, request.headers.get("user-agent", ""))
    cookies.set_session_cookie(request, response, raw)
    cookies.clear_presession_cookie(request, response)


def _anonymous_form(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
    cookies.ensure_presession(request)
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    cookies.apply_presession(request, response)
    return response


def _login_form(
    request: Request, *, email: str = "", error: str | None = None, next_path: str | None = None
) -> Response:
    context = {"email": email, "error": error, "next": safe_next_path(next_path)}
    return _anonymous_form(request, "login.html", context, 400 if error else 200)


def _register_form(
    request: Request,
    *,
    email: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"email": email, "errors": errors or {}}
    return _anonymous_form(request, "register.html", context, status_code)


@router.get("/login")
async def login_page(
    request: Request,
    user: OptionalUser,
    next_path: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next_path(next_path) or HOME, status_code=303)
    return _login_form(request, next_path=next_path)


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    email: FormStr = "",
    password: FormStr = "",
    next_path: Annotated[str, Form(alias="next")] = "",
) -> Response:
    client = client_address(request)
    throttle = LoginThrottle(session)
    wait = await throttle.retry_after(email, client)
    if wait is not None:
        raise too_many_attempts(wait)
    try:
        credentials = UserLogin.model_validate({"email": email, "password": password})
    except ValidationError:
        user = None
    else:
        user = await UserService(session).authenticate(credentials.email, credentials.password)
    if user is None:
        await throttle.record_failure(email, client)
        return _login_form(
            request, email=email.strip().lower(), error=INVALID_LOGIN, next_path=next_path
        )
    response = RedirectResponse(safe_next_path(next_path) or HOME, status_code=303)
    await log_in(request, response, session, user)
    return response


@router.get("/register")
async def register_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse(HOME, status_code=303)
    return _register_form(request)


@router.post("/register")
async def register(
    request: Request, session: SessionDep, email: FormStr = "", password: FormStr = ""
) -> Response:
    try:
        data = UserRegister.model_validate({"email": email, "password": password})
    except ValidationError as exc:
        return _register_form(
            request, email=email.strip().lower(), errors=field_errors(exc), status_code=422
        )
    # Counted once the input is valid: from here each attempt costs a password hash.
    throttle = LoginThrottle(session)
    client = client_address(request)
    wait = await throttle.registration_retry_after(client)
    if wait is not None:
        raise too_many_attempts(wait, "new accounts from your address")
    await throttle.record_registration(data.email, client)
    try:
        user = await UserService(session).create_user(data.email, data.password)
    except EmailTakenError:
        return _register_form(
            request, email=data.email, errors={"email": EMAIL_TAKEN}, status_code=400
        )
    response = RedirectResponse(HOME, status_code=303)
    await log_in(request, response, session, user)
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    raw = cookies.read_session_id(request)
    if raw:
        # The row goes, so this cookie (or a copy of it) is worthless from now on.
        await SessionService(session).end_session(raw)
    if request.headers.get("HX-Request"):
        response: Response = Response(status_code=204, headers={"HX-Redirect": "/login"})
    else:
        response = RedirectResponse("/login", status_code=303)
    cookies.clear_session_cookie(request, response)
    return response
