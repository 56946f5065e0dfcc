"""The settings page: this user's sessions, logging out elsewhere, changing the password."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import SessionDep
from webapp.models.user import User
from webapp.schemas.user import PasswordChange
from webapp.services.login_throttle import LoginThrottle
from webapp.services.session_service import SessionService, hash_token
from webapp.services.user_service import UserService
from webapp.web.auth import client_address, too_many_attempts
from webapp.web.deps import CsrfProtected, CurrentUser
from webapp.web.forms import field_errors
from webapp.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])

# Fixed texts chosen by key: nothing from the query string is ever shown as a message.
NOTICES = {
    "sessions-ended": "You are now logged out everywhere else.",
    "password-changed": "Your password has been changed. Other sessions have been logged out.",
}
WRONG_CURRENT_PASSWORD = "That is not your current password."

FormStr = Annotated[str, Form()]


def _browser_summary(user_agent: str) -> str:
    """ "Firefox on Linux" from a user-agent string; the raw string when unrecognised."""
    browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome")]
    browsers += [("Safari/", "Safari")]
    systems = [("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS")]
    systems += [("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux")]
    browser = next((name for key, name in browsers if key in user_agent), None)
    system = next((name for key, name in systems if key in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return user_agent or "Unknown browser"


async def _settings_page(
    request: Request,
    session: AsyncSession,
    user: User,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    current = hash_token(request.state.session_id)
    sessions = [
        {
            "created_at": s.created_at,
            "last_seen_at": s.last_seen_at,
            "browser": _browser_summary(s.user_agent),
            "user_agent": s.user_agent,
            "current": s.id_hash == current,
        }
        for s in await SessionService(session).list_sessions(user.id)
    ]
    context = {"user": user, "sessions": sessions, "notice": notice, "errors": errors or {}}
    return templates.TemplateResponse(request, "settings.html", context, status_code=status_code)


@router.get("/settings")
async def settings(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    notice: Annotated[str | None, Query()] = None,
) -> Response:
    return await _settings_page(request, session, user, notice=NOTICES.get(notice or ""))


@router.post("/settings/sessions/logout-others")
async def log_out_other_sessions(
    request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    await SessionService(session).end_other_sessions(user.id, request.state.session_id)
    return RedirectResponse("/settings?notice=sessions-ended", status_code=303)


@router.post("/settings/password")
async def change_password(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    current_password: FormStr = "",
    new_password: FormStr = "",
) -> Response:
    # Guessing the current password from a stolen session is a login attempt like any other.
    client = client_address(request)
    throttle = LoginThrottle(session)
    wait = await throttle.retry_after(user.email, client)
    if wait is not None:
        raise too_many_attempts(wait)
    try:
        change = PasswordChange.model_validate(
            {"current_password": current_password, "new_password": new_password}
        )
    except ValidationError as exc:
        errors = field_errors(exc)
        if "current_password" in errors:
            errors["current_password"] = "Enter your current password."
        return await _settings_page(request, session, user, errors=errors, status_code=422)
    users = UserService(session)
    confirmed = await users.authenticate(user.email, change.current_password)
    if confirmed is None or confirmed.id != user.id:
        await throttle.record_failure(user.email, client)
        errors = {"current_password": WRONG_CURRENT_PASSWORD}
        return await _settings_page(request, session, user, errors=errors, status_code=400)
    await users.set_password(user, change.new_password)
    # Whoever else knew the old password (or holds a session made with it) is out now.
    await SessionService(session).end_other_sessions(user.id, request.state.session_id)
    return RedirectResponse("/settings?notice=password-changed", status_code=303)
