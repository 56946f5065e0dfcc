"""The session cookie and the CSRF tokens derived from it.

The cookie carries the raw session id signed with SECRET_KEY (itsdangerous),
so a forged or garbled cookie is rejected before any database lookup. CSRF
tokens are an HMAC of the session id: nothing extra to store, and a token is
worthless once its session has ended. Before login (the login and register
forms), a random signed "pre-session" cookie plays the same role.
"""

import base64
import functools
import hashlib
import hmac
import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature, Signer

SESSION_MAX_AGE = 30 * 24 * 3600


def _secure(request: Request) -> bool:
    return request.app.state.settings.is_production


def session_cookie_name(request: Request) -> str:
    # __Host- makes the browser refuse the cookie unless Secure, Path=/ and no Domain.
    return "__Host-session" if _secure(request) else "session"


def presession_cookie_name(request: Request) -> str:
    return "__Host-presession" if _secure(request) else "presession"


def _signer(request: Request, purpose: str) -> Signer:
    return signer(request.app.state.secret_key, purpose)


@functools.cache
def signer(secret_key: str, purpose: str) -> Signer:
    """One signer per key and purpose: making one derives its key, every request."""
    return Signer(secret_key, salt=f"webapp.{purpose}")


def derive_csrf_token(secret_key: str, csrf_secret: str) -> str:
    """An HMAC of the (pre-)session, 128 bits of it: 22 characters in every form of a page."""
    digest = hmac.new(secret_key.encode(), f"csrf:{csrf_secret}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _read_signed(request: Request, name: str, purpose: str) -> str | None:
    value = request.cookies.get(name)
    if not value:
        return None
    try:
        return _signer(request, purpose).unsign(value).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


THEME_COOKIE = "theme"
THEMES = ("light", "dark")


def theme_of(request: Request) -> str | None:
    """The theme this browser chose in Settings; None: as the system says."""
    chosen = request.cookies.get(THEME_COOKIE)
    return chosen if chosen in THEMES else None


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    """Every cookie of ours: HttpOnly, SameSite=Lax, Path=/, no Domain; Secure in production."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )


def delete_cookie(request: Request, response: Response, name: str) -> None:
    if name in request.cookies:
        response.delete_cookie(name, path="/", secure=_secure(request), httponly=True)


def read_session_id(request: Request) -> str | None:
    return _read_signed(request, session_cookie_name(request), "session")


def set_session_cookie(request: Request, response: Response, raw_session_id: str) -> None:
    signed = _signer(request, "session").sign(raw_session_id).decode()
    set_cookie(request, response, session_cookie_name(request), signed, SESSION_MAX_AGE)


def clear_session_cookie(request: Request, response: Response) -> None:
    delete_cookie(request, response, session_cookie_name(request))


def csrf_secret(request: Request) -> str | None:
    """What this browser's CSRF token is derived from: its session, else its pre-session."""
    raw = getattr(request.state, "session_id", None)
    if raw:
        return "s:" + raw
    pre = _read_signed(request, presession_cookie_name(request), "presession")
    if pre:
        return "p:" + pre
    return None


def ensure_presession(request: Request) -> None:
    """Give an anonymous browser a pre-session so login and register forms carry a token.

    The cookie itself is set by `apply_presession` once the response exists.
    """
    if csrf_secret(request) is None:
        request.state.new_presession = secrets.token_urlsafe(32)


def apply_presession(request: Request, response: Response) -> None:
    raw = getattr(request.state, "new_presession", None)
    if raw:
        signed = _signer(request, "presession").sign(raw).decode()
        set_cookie(request, response, presession_cookie_name(request), signed, None)


def csrf_token(request: Request) -> str:
    """The token forms and htmx send back; empty when the browser has no (pre-)session.

    Worked out once per request: a page has a dozen forms."""
    token = getattr(request.state, "csrf_token", None)
    if token is not None:
        return token
    secret = csrf_secret(request)
    if secret is None:
        pending = getattr(request.state, "new_presession", None)
        if not pending:
            return ""
        secret = "p:" + pending
    token = request.state.csrf_token = derive_csrf_token(request.app.state.secret_key, secret)
    return token


def csrf_token_from_cookie(request: Request) -> str:
    """The token of the browser's session cookie, worked out without the database (which
    may be the thing that is down): valid again once its session is found."""
    raw = read_session_id(request)
    if raw:
        return derive_csrf_token(request.app.state.secret_key, "s:" + raw)
    return csrf_token(request)


def csrf_token_valid(request: Request, sent: str | None) -> bool:
    if not sent or csrf_secret(request) is None:
        return False
    return hmac.compare_digest(sent, csrf_token(request))


def clear_presession_cookie(request: Request, response: Response) -> None:
    # Once logged in, the session's token takes over; after logout a fresh pre-session starts.
    delete_cookie(request, response, presession_cookie_name(request))


# The device cookie: which accounts this browser has logged into (as keyed hashes of
# their emails). Failed logins from elsewhere do not slow such a browser down.
DEVICE_COOKIE = "device"
DEVICE_MAX_AGE = 365 * 24 * 3600
MAX_DEVICE_ACCOUNTS = 5


def _account_key(request: Request, email: str) -> str:
    secret = request.app.state.secret_key.encode()
    return hmac.new(secret, f"device:{email}".encode(), hashlib.sha256).hexdigest()[:20]


def _device_accounts(request: Request) -> list[str]:
    value = _read_signed(request, DEVICE_COOKIE, "device")
    return [key for key in (value or "").split(",") if key][:MAX_DEVICE_ACCOUNTS]


def trusted_device(request: Request, email: str) -> bool:
    """Has this browser logged in as `email` (normalised) before?"""
    return _account_key(request, email) in _device_accounts(request)


def remember_device(request: Request, response: Response, email: str) -> None:
    key = _account_key(request, email)
    keys = [key] + [k for k in _device_accounts(request) if k != key]
    signed = _signer(request, "device").sign(",".join(keys[:MAX_DEVICE_ACCOUNTS])).decode()
    set_cookie(request, response, DEVICE_COOKIE, signed, DEVICE_MAX_AGE)
