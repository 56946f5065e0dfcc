"""Settings → API tokens: list, create (shown once) and revoke personal tokens.

Creating follows post/redirect/get, so a reload cannot make a second token: the
new token rides to the page in a signed cookie that lives two minutes and is
cleared as soon as the page has shown it (never stored on the server, in a query
string or in process memory).
"""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from webapp.db import SessionDep
from webapp.models.base import utcnow
from webapp.models.user import Account
from webapp.schemas.token import TokenCreate
from webapp.services.token_service import TokenService, token_status
from webapp.web.deps import CsrfProtected, CurrentUser
from webapp.web.flash import clear_note, read_note, set_note
from webapp.web.forms import field_errors
from webapp.web.templating import templates

router = APIRouter(include_in_schema=False)

PAGE = "/settings/tokens"
# The choices of the Expires select: days, or "" for never.
EXPIRY_CHOICES = [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never")]
DEFAULT_EXPIRY = "90"
REVEAL_COOKIE = "reveal"
REVEAL_MAX_AGE = 120


async def _page(
    request: Request,
    session: SessionDep,
    user: Account,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    new_token: str | None = None,
    new_token_name: str | None = None,
    status_code: int = 200,
) -> Response:
    tokens = await TokenService(session).list_tokens(user.id)
    now = utcnow()
    response = templates.TemplateResponse(
        request,
        "tokens.html",
        {
            "rows": [(token, token_status(token, now)) for token in tokens],
            "form": form or {"name": "", "expires_in_days": DEFAULT_EXPIRY},
            "errors": errors or {},
            "expiry_choices": EXPIRY_CHOICES,
            "new_token": new_token,
            "new_token_name": new_token_name,
            "user": user,
            "base_url": str(request.base_url).rstrip("/"),
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(PAGE)
async def tokens_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    reveal = read_note(request, REVEAL_COOKIE, REVEAL_MAX_AGE)
    if not (isinstance(reveal, dict) and reveal.get("u") == user.id):
        return await _page(request, session, user)
    response = await _page(
        request, session, user, new_token=reveal.get("t"), new_token_name=reveal.get("n")
    )
    clear_note(request, response, REVEAL_COOKIE)
    return response


@router.post(PAGE, dependencies=[CsrfProtected])
async def create_token(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form()] = "",
    expires_in_days: Annotated[str, Form()] = "",
) -> Response:
    form = {"name": name, "expires_in_days": expires_in_days}
    try:
        data = TokenCreate.model_validate(
            {"name": name, "expires_in_days": expires_in_days or None}
        )
    except ValidationError as exc:
        return await _page(
            request, session, user, form=form, errors=field_errors(exc), status_code=422
        )
    lifetime = timedelta(days=data.expires_in_days) if data.expires_in_days else None
    _, raw = await TokenService(session).create_token(user.id, data.name, lifetime=lifetime)
    response = RedirectResponse(PAGE, status_code=303)
    set_note(
        request, response, REVEAL_COOKIE, {"u": user.id, "t": raw, "n": data.name}, REVEAL_MAX_AGE
    )
    return response


@router.post(PAGE + "/{token_id:id}/revoke", dependencies=[CsrfProtected])
async def revoke_token(token_id: int, session: SessionDep, user: CurrentUser) -> Response:
    if not await TokenService(session).revoke_token(user.id, token_id):
        # Someone else's token looks exactly like a missing one.
        raise HTTPException(status_code=404, detail="No such token.")
    return RedirectResponse(PAGE, status_code=303)
