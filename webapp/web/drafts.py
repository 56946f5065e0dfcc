"""What someone typed into a form when their session had ended, kept until they are back.

A task added (or edited) in a tab whose session ended elsewhere (logged out in
another tab, other sessions logged out, the password changed) cannot be saved:
there is no user. Its text rides along in a signed cookie through the login page
and comes back in the same form afterwards, so nothing typed is lost.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request, Response

from webapp.web.flash import DRAFT_COOKIE, DRAFT_MAX_AGE, clear_note, read_note, set_note
from webapp.web.forms import read_form

FIELDS = ("title", "description", "priority")
NEW_TASK = "/tasks"
_EDIT = re.compile(r"/tasks/([0-9]{1,10})")


@dataclass(frozen=True)
class Draft:
    path: str  # the form's action: "/tasks" (a new task) or "/tasks/<id>" (an edit)
    values: dict[str, str]

    @property
    def title(self) -> str:
        return self.values.get("title", "")


async def from_request(request: Request) -> Draft | None:
    """The draft in a new-task or edit form being posted, if anything was typed."""
    path = request.url.path
    if request.method != "POST" or not (path == NEW_TASK or _EDIT.fullmatch(path)):
        return None
    try:
        form = await read_form(request)
    except Exception:  # an unreadable body holds no draft worth keeping
        return None
    values = {name: value for name in FIELDS if isinstance(value := form.get(name), str)}
    return Draft(path, values) if values.get("title", "").strip() else None


def resume_path(draft: Draft, list_path: str | None) -> str | None:
    """Where to go after logging in: the list, or the edit form the draft belongs to."""
    if draft.path == NEW_TASK:
        return list_path
    back = f"?return_to={quote(list_path, safe='/')}" if list_path else ""
    return f"{draft.path}/edit{back}"


def save(request: Request, response: Response, draft: Draft) -> None:
    set_note(request, response, DRAFT_COOKIE, {"p": draft.path, "v": draft.values}, DRAFT_MAX_AGE)


def peek(request: Request) -> Draft | None:
    data = read_note(request, DRAFT_COOKIE, DRAFT_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("p"), str):
        return None
    values = data.get("v")
    if not isinstance(values, dict):
        return None
    return Draft(data["p"], {k: v for k, v in values.items() if k in FIELDS and isinstance(v, str)})


def take(request: Request, response: Response, path: str) -> Draft | None:
    """The draft for the form at `path`, removed from the browser once shown."""
    draft = peek(request)
    if draft is None or draft.path != path:
        return None
    clear_note(request, response, DRAFT_COOKIE)
    return draft
