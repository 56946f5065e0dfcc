"""The settings page: this user's sessions, logging out elsewhere, changing the password,
the appearance, the time zone and date order, the calendar feed, deleting the account.
Exporting and importing its tasks are in data.py."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import SessionDep
from webapp.models.user import Account
from webapp.schemas.user import MAX_PASSWORD_BYTES, ClockSettings, PasswordChange, zone_names
from webapp.services.auth_service import AuthService, Throttled, WrongPassword
from webapp.services.calendar_feed import CalendarService
from webapp.services.session_service import SessionService, hash_token
from webapp.services.user_service import UserService
from webapp.web import cookies
from webapp.web.auth import ACCOUNT_DELETED, client_address, login_notice_url, too_many_attempts
from webapp.web.deps import CsrfProtected, CurrentUser
from webapp.web.forms import field_errors, read_form
from webapp.web.htmx import navigate
from webapp.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])

# Fixed texts chosen by key: nothing from the query string is ever shown as a message.
NOTICES = {
    "sessions-ended": "You are now logged out everywhere else. Your API tokens still work.",
    "sessions-and-tokens-ended": (
        "You are now logged out everywhere else, and every API token has been revoked."
    ),
    "password-changed": (
        "Your password has been changed. Every other session has been logged out and "
        "every API token revoked."
    ),
}
NOTICES["theme"] = "Appearance saved for this browser."
NOTICES["clock"] = "Time zone and date order saved."
NOTICES["calendar-new"] = "Your calendar has a new address; the old one no longer works."
NOTICES["calendar-off"] = "Your calendar feed is off; its address no longer works."
WRONG_CURRENT_PASSWORD = "That is not your current password."
THEME_MAX_AGE = 400 * 24 * 3600  # as long as browsers keep a cookie
WRONG_PASSWORD = "That is not your password. Nothing was deleted."

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
    user: Account,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    clock_form: dict[str, str] | None = None,
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
    context = {
        "user": user,
        "sessions": sessions,
        "notice": notice,
        "errors": errors or {},
        "zones": zone_names(),
        "calendar_url": await _calendar_url(request, session, user),
        "clock_form": clock_form or {},
    }
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
    revoke = (await read_form(request)).get("revoke_tokens") == "true"
    await AuthService(session).end_other_access(
        user.id, keep_session=request.state.session_id, revoke_tokens=revoke
    )
    notice = "sessions-and-tokens-ended" if revoke else "sessions-ended"
    return RedirectResponse(f"/settings?notice={notice}", status_code=303)


@router.post("/settings/password")
async def change_password(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    current_password: FormStr = "",
    new_password: FormStr = "",
) -> Response:
    try:
        change = PasswordChange.model_validate(
            {"current_password": current_password, "new_password": new_password}
        )
    except ValidationError as exc:
        errors = field_errors(exc)
        if "current_password" in errors:
            errors["current_password"] = "Enter your current password."
        return await _settings_page(request, session, user, errors=errors, status_code=422)
    try:
        await AuthService(session).change_password(
            user, change, client=client_address(request), keep_session=request.state.session_id
        )
    except Throttled as exc:
        raise too_many_attempts(exc) from None
    except WrongPassword:
        errors = {"current_password": WRONG_CURRENT_PASSWORD}
        return await _settings_page(request, session, user, errors=errors, status_code=400)
    return RedirectResponse("/settings?notice=password-changed", status_code=303)


@router.post("/settings/delete-account")
async def delete_account(
    request: Request, user: CurrentUser, session: SessionDep, password: FormStr = ""
) -> Response:
    if not password or len(password.encode("utf-8", "replace")) > MAX_PASSWORD_BYTES:
        errors = {"password": "Enter your password to delete your account."}
        return await _settings_page(request, session, user, errors=errors, status_code=422)
    try:
        await AuthService(session).delete_account(user, password, client=client_address(request))
    except Throttled as exc:
        raise too_many_attempts(exc) from None
    except WrongPassword:
        errors = {"password": WRONG_PASSWORD}
        return await _settings_page(request, session, user, errors=errors, status_code=400)
    # The session went with the account; the cookie naming it goes too.
    response = navigate(request, login_notice_url(ACCOUNT_DELETED))
    cookies.clear_session_cookie(request, response)
    return response


@router.post("/settings/theme")
async def set_theme(request: Request, user: CurrentUser) -> Response:
    """Light, dark, or as the system says: kept by this browser (a device's choice)."""
    chosen = (await read_form(request)).get("theme")
    response = RedirectResponse("/settings?notice=theme", status_code=303)
    if chosen in cookies.THEMES:
        cookies.set_cookie(request, response, cookies.THEME_COOKIE, str(chosen), THEME_MAX_AGE)
    else:
        cookies.delete_cookie(request, response, cookies.THEME_COOKIE)
    return response


async def _calendar_url(request: Request, session: AsyncSession, user: Account) -> str | None:
    token = await CalendarService(session).token_of(user.id)
    return str(request.base_url).rstrip("/") + f"/calendar/{token}.ics" if token else None


@router.post("/settings/clock")
async def set_clock(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """The zone "today" is read in, and how numeric dates are read and written."""
    form = await read_form(request)
    sent = {name: form.get(name) for name in ("timezone", "date_order")}
    sent = {name: value for name, value in sent.items() if isinstance(value, str)}
    try:
        chosen = ClockSettings.model_validate(sent)
    except ValidationError as exc:
        return await _settings_page(
            request, session, user, errors=field_errors(exc), status_code=422, clock_form=sent
        )
    await UserService(session).set_clock(
        user.id, timezone=chosen.timezone, date_order=chosen.date_order
    )
    return RedirectResponse("/settings?notice=clock", status_code=303)


@router.post("/settings/calendar")
async def set_calendar(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """`action=new` makes a new secret address (revoking the old), `action=off` none."""
    enabled = (await read_form(request)).get("action") != "off"
    await CalendarService(session).set_token(user.id, enabled=enabled)
    notice = "calendar-new" if enabled else "calendar-off"
    return RedirectResponse(f"/settings?notice={notice}", status_code=303)
