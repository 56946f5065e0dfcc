"""Settings → API tokens: list, create (shown once) and revoke personal tokens.

A new token is rendered straight into the answer to the POST, not stored for
a redirect: the raw token then exists only in that one response (no-store),
never in a session, a query string or process memory.
"""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from webapp.db import SessionDep
from webapp.models.base import MAX_ID, utcnow
from webapp.models.user import User
from webapp.schemas.token import TokenCreate
from webapp.services.token_service import TokenService, token_status
from webapp.web.deps import CsrfProtected, CurrentUser
from webapp.web.forms import field_errors
from webapp.web.templating import templates

router = APIRouter(include_in_schema=False)

PAGE = "/settings/tokens"
# The choices of the Expires select: days, or "" for never.
EXPIRY_CHOICES = [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never")]
DEFAULT_EXPIRY = "90"


async def _page(
    request: Request,
    session: SessionDep,
    user: User,
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
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(PAGE)
async def tokens_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return await _page(request, session, user)


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
    # 200, not a redirect: this response is the only place the raw token ever appears.
    return await _page(request, session, user, new_token=raw, new_token_name=data.name)


@router.post(PAGE + "/{token_id}/revoke", dependencies=[CsrfProtected])
async def revoke_token(token_id: int, session: SessionDep, user: CurrentUser) -> Response:
    if not 1 <= token_id <= MAX_ID or not await TokenService(session).revoke_token(
        user.id, token_id
    ):
        # Someone else's token looks exactly like a missing one.
        raise HTTPException(status_code=404, detail="No such token.")
    return RedirectResponse(PAGE, status_code=303)
