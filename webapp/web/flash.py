"""Short-lived signed notes the browser carries for us: flash messages and undo tokens.

Both are signed with SECRET_KEY (itsdangerous) and kept by the client, so nothing lives
in process memory and any app process can read them.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadData, URLSafeTimedSerializer

from webapp.models.task import Task
from webapp.web.cookies import delete_cookie, set_cookie

FLASH_COOKIE = "flash"
# A flash is read by the page the redirect leads to; an older one is stale.
FLASH_MAX_AGE = 60
# Undo is offered for a few seconds on screen; the token itself lasts longer so a
# slow connection or a no-JS user is not refused.
UNDO_MAX_AGE = 10 * 60
# Browsers drop cookies above ~4 KB; a flash that would not fit loses its undo, not its text.
MAX_COOKIE_CHARS = 3500


@dataclass(frozen=True)
class Notice:
    message: str
    undo: str | None = None


def _serializer(request: Request, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret_key, salt=f"webapp.{purpose}")


def set_flash(request: Request, response: Response, notice: Notice) -> None:
    """Have the next page show `notice` once."""
    serializer = _serializer(request, "flash")
    value = serializer.dumps({"m": notice.message, "u": notice.undo})
    if len(value) > MAX_COOKIE_CHARS:
        value = serializer.dumps({"m": notice.message, "u": None})
    set_cookie(request, response, FLASH_COOKIE, value, FLASH_MAX_AGE)


def read_flash(request: Request) -> Notice | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request, "flash").loads(raw, max_age=FLASH_MAX_AGE)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), str):
        return None
    undo = data.get("u")
    return Notice(data["m"], undo if isinstance(undo, str) else None)


def clear_flash(request: Request, response: Response) -> None:
    delete_cookie(request, response, FLASH_COOKIE)


def undo_token(request: Request, task: Task) -> str:
    """A token holding the deleted task as it was, for this user only."""
    return _serializer(request, "undo").dumps(
        {
            "u": task.user_id,
            "id": task.id,
            "t": task.title,
            "d": task.description,
            "p": task.priority,
            "c": task.completed,
            "at": task.created_at.isoformat(),
            "v": task.version,
        }
    )


def read_undo_token(request: Request, token: str, user_id: int) -> dict[str, Any] | None:
    """The restore_task() arguments from a valid token of `user_id`, else None."""
    try:
        data = _serializer(request, "undo").loads(token, max_age=UNDO_MAX_AGE)
        if data["u"] != user_id:
            return None
        return {
            "task_id": int(data["id"]),
            "title": str(data["t"]),
            "description": data["d"],
            "priority": str(data["p"]),
            "completed": bool(data["c"]),
            "created_at": datetime.fromisoformat(data["at"]),
            "version": int(data["v"]),
        }
    except (BadData, KeyError, TypeError, ValueError):
        return None
