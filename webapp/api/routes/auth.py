"""POST /api/auth/token: email and password for a bearer token, throttled like the login form."""

from fastapi import APIRouter, HTTPException, Request

from webapp.api.deps import (
    INVALID,
    TOO_LARGE,
    UNAUTHORIZED,
    UNAVAILABLE,
    ErrorResponse,
    not_authenticated,
)
from webapp.api.routing import ApiRoute, answer_405
from webapp.db import SessionDep
from webapp.schemas.token import TokenRequest, TokenResponse
from webapp.services.auth_service import AuthService, Throttled
from webapp.services.login_throttle import client_key
from webapp.services.token_service import LOGIN_TOKEN_LIFETIME, TokenService

router = APIRouter(prefix="/api/auth", tags=["auth"], route_class=ApiRoute)

TOO_MANY = {
    "model": ErrorResponse,
    "description": "Too many failed attempts for this email from this address; see Retry-After",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
}


@router.post(
    "/token",
    response_model=TokenResponse,
    responses={401: UNAUTHORIZED, 413: TOO_LARGE, 422: INVALID, 429: TOO_MANY, 503: UNAVAILABLE},
    summary="Get a bearer token",
)
async def create_token(
    credentials: TokenRequest, request: Request, session: SessionDep
) -> TokenResponse:
    """Exchange email and password for a token that lasts 30 days (revocable in settings)."""
    client = client_key(request.client.host if request.client else None)
    try:
        user = await AuthService(session).login(
            credentials.email, credentials.password, client=client
        )
    except Throttled as exc:
        raise HTTPException(
            status_code=429,
            detail="Too many failed attempts; try again later",
            headers={"Retry-After": str(exc.retry_after)},
        ) from None
    if user is None:
        # One message whatever was wrong: no one learns which emails have accounts.
        raise not_authenticated("Incorrect email or password")
    _, raw = await TokenService(session).create_token(
        user.id, "API login", lifetime=LOGIN_TOKEN_LIFETIME
    )
    return TokenResponse(access_token=raw, user_id=user.id)


answer_405(router, "/token", ("POST",))
