"""Register, log in and log out: the pages and cookies around AuthService.

Every form here carries a CSRF token (login CSRF too: before login the token
comes from a signed pre-session cookie). A login always starts a new session
id and ends the one the browser had, so an id planted beforehand is useless.

With REGISTRATION=closed the login page has no register link and /register answers
a 404 saying so (before any other check): an administrator makes the accounts.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import SessionDep
from webapp.models.user import Account, User
from webapp.schemas.user import UserRegister, zone_names_include
from webapp.services import import_service, task_sync, task_undo
from webapp.services.auth_service import AuthService, Throttled
from webapp.services.login_throttle import LoginThrottle, client_key
from webapp.services.session_service import SessionService
from webapp.services.user_service import EmailTakenError, UserService, normalize_email
from webapp.web import cookies, drafts
from webapp.web.deps import AnonymousCsrf, CsrfProtected, OptionalUser
from webapp.web.forms import field_errors
from webapp.web.htmx import navigate
from webapp.web.redirects import safe_next_path
from webapp.web.templating import templates

router = APIRouter(include_in_schema=False)

HOME = "/tasks"
# The same words whatever was wrong: unknown email, wrong password or malformed input.
INVALID_LOGIN = "Invalid email or password."
EMAIL_TAKEN = "An account with this email already exists. Log in instead."
REGISTRATION_CLOSED = "Registration is closed on this server. Ask its administrator for an account."
# Fixed texts chosen by key: nothing from the query string is ever shown as a message.
ACCOUNT_DELETED = "account-deleted"
LOGIN_NOTICES = {ACCOUNT_DELETED: "Your account and all its tasks have been deleted."}

FormStr = Annotated[str, Form()]


def client_address(request: Request) -> str:
    """The key this client's attempts are counted under (behind a trusted proxy,
    uvicorn has already put the forwarded address in request.client)."""
    return client_key(request.client.host if request.client else None)


def too_many_attempts(throttled: Throttled, what: str = "failed attempts") -> HTTPException:
    minutes = max(1, -(-throttled.retry_after // 60))
    unit = "minute" if minutes == 1 else "minutes"
    return HTTPException(
        status_code=429,
        detail=f"Too many {what}. Try again in {minutes} {unit}.",
        headers={"Retry-After": str(throttled.retry_after)},
    )


async def log_in(
    request: Request, response: Response, session: AsyncSession, user: User | Account
) -> None:
    """Give the browser a brand-new session for `user`, ending whatever session it had."""
    sessions = SessionService(session)
    previous = cookies.read_session_id(request)
    if previous:
        await sessions.end_session(previous)
    # Housekeeping piggybacks on logins: no background job, and logins are rare enough.
    await sessions.purge_expired()
    await LoginThrottle(session).purge_old()
    await task_undo.purge_expired(session)
    await import_service.purge_expired(session)
    await task_sync.purge_expired(session)
    raw = await sessions.create_session(user.id, request.headers.get("user-agent", ""))
    cookies.set_session_cookie(request, response, raw)
    cookies.clear_presession_cookie(request, response)
    cookies.remember_device(request, response, user.email)


def _anonymous_form(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
    cookies.ensure_presession(request)
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    cookies.apply_presession(request, response)
    return response


def login_notice_url(key: str) -> str:
    return f"/login?notice={key}"


def registration_open(request: Request) -> bool:
    return request.app.state.settings.registration == "open"


async def require_open_registration(request: Request) -> None:
    """Before anything else (CSRF included): a closed registration is a 404 for everyone."""
    if not registration_open(request):
        raise HTTPException(status_code=404, detail=REGISTRATION_CLOSED)


RegistrationOpen = Depends(require_open_registration)


def _login_form(
    request: Request,
    *,
    email: str = "",
    error: str | None = None,
    next_path: str | None = None,
    notice: str | None = None,
) -> Response:
    draft = drafts.peek(request)
    context = {
        "email": email,
        "error": error,
        "next": safe_next_path(next_path),
        "draft_title": draft.title if draft else None,
        "notice": notice,
        "registration_open": registration_open(request),
    }
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
    notice: Annotated[str | None, Query()] = None,
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next_path(next_path) or HOME, status_code=303)
    return _login_form(request, next_path=next_path, notice=LOGIN_NOTICES.get(notice or ""))


@router.post("/login", dependencies=[AnonymousCsrf])
async def login(
    request: Request,
    session: SessionDep,
    email: FormStr = "",
    password: FormStr = "",
    next_path: Annotated[str, Form(alias="next")] = "",
) -> Response:
    trusted = cookies.trusted_device(request, normalize_email(email))
    auth = AuthService(session)
    try:
        user = await auth.login(email, password, client=client_address(request), trusted=trusted)
    except Throttled as exc:
        raise too_many_attempts(exc) from None
    if user is None:
        return _login_form(
            request, email=email.strip().lower(), error=INVALID_LOGIN, next_path=next_path
        )
    response = RedirectResponse(safe_next_path(next_path) or HOME, status_code=303)
    await log_in(request, response, session, user)
    return response


@router.get("/register", dependencies=[RegistrationOpen])
async def register_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse(HOME, status_code=303)
    return _register_form(request)


@router.post("/register", dependencies=[RegistrationOpen, AnonymousCsrf])
async def register(
    request: Request,
    session: SessionDep,
    email: FormStr = "",
    password: FormStr = "",
    timezone: FormStr = "",
) -> Response:
    try:
        data = UserRegister.model_validate({"email": email, "password": password})
    except ValidationError as exc:
        return _register_form(
            request, email=email.strip().lower(), errors=field_errors(exc), status_code=422
        )
    try:
        user = await AuthService(session).register(data, client=client_address(request))
    except Throttled as exc:
        raise too_many_attempts(exc, "new accounts from your address") from None
    except EmailTakenError:
        return _register_form(
            request, email=data.email, errors={"email": EMAIL_TAKEN}, status_code=400
        )
    # The browser's zone (register.html's script); anything unknown stays UTC.
    if zone_names_include(timezone.strip()):
        await UserService(session).set_clock(user.id, timezone=timezone.strip())
    response = RedirectResponse(HOME, status_code=303)
    await log_in(request, response, session, user)
    return response


@router.post("/logout", dependencies=[CsrfProtected])
async def logout(request: Request, session: SessionDep) -> Response:
    raw = cookies.read_session_id(request)
    if raw:
        # The row goes, so this cookie (or a copy of it) is worthless from now on.
        await SessionService(session).end_session(raw)
    response = navigate(request, "/login")
    cookies.clear_session_cookie(request, response)
    return response
