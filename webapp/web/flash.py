"""Short-lived signed notes the browser carries for us: flash messages, undo tokens, the
draft of a form whose session had ended, a new API token to show once.

All are signed with SECRET_KEY (itsdangerous) and kept by the client, so nothing lives
in process memory and any app process can read them.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadData, URLSafeTimedSerializer

from webapp.services.task_undo import UNDO_WINDOW
from webapp.web.cookies import delete_cookie, set_cookie

FLASH_COOKIE = "flash"
# A flash is read by the page the redirect leads to; an older one is stale.
FLASH_MAX_AGE = 60
DRAFT_COOKIE = "draft"
# Long enough to log in again (and look up the password) before the draft is gone.
DRAFT_MAX_AGE = 3600
# Browsers drop cookies above ~4 KB; a note that would not fit is not kept.
MAX_COOKIE_CHARS = 3800


@dataclass(frozen=True)
class Notice:
    message: str
    undo: str | None = None


def _serializer(request: Request, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret_key, salt=f"webapp.{purpose}")


def set_note(request: Request, response: Response, name: str, data: Any, max_age: int) -> bool:
    """Have the browser keep `data` for `max_age` seconds; False when it is too large."""
    value = _serializer(request, name).dumps(data)
    if len(value) > MAX_COOKIE_CHARS:
        return False
    set_cookie(request, response, name, value, max_age)
    return True


def read_note(request: Request, name: str, max_age: int) -> Any:
    raw = request.cookies.get(name)
    if not raw:
        return None
    try:
        return _serializer(request, name).loads(raw, max_age=max_age)
    except BadData:
        return None


def clear_note(request: Request, response: Response, name: str) -> None:
    delete_cookie(request, response, name)


def set_flash(request: Request, response: Response, notice: Notice) -> None:
    """Have the next page show `notice` once."""
    set_note(request, response, FLASH_COOKIE, {"m": notice.message, "u": notice.undo}, 60)


def read_flash(request: Request) -> Notice | None:
    data = read_note(request, FLASH_COOKIE, FLASH_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("m"), str):
        return None
    undo = data.get("u")
    return Notice(data["m"], undo if isinstance(undo, str) else None)


def clear_flash(request: Request, response: Response) -> None:
    clear_note(request, response, FLASH_COOKIE)


def undo_token(request: Request, user_id: int, undo_id: int) -> str:
    """A token naming one undo entry, good for this user only."""
    return _serializer(request, "undo").dumps({"u": user_id, "e": undo_id})


def read_undo_token(request: Request, token: object, user_id: int) -> int | None:
    """The undo entry a valid token of `user_id` names, else None."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        data = _serializer(request, "undo").loads(token, max_age=UNDO_WINDOW.total_seconds())
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id or not isinstance(data.get("e"), int):
        return None
    return data["e"]
