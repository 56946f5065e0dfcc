"""The New task field's live preview: what quick add reads in the text as it is typed.

`GET /tasks/quick-add/preview?title=…&ignore=…` answers a fragment: each recognised part
as a chip whose button dismisses it (adds its span to the form's `ignore` field and asks
again), and "→ the resulting title". It parses exactly as the form's POST will (the same
service, the same zone), and stores nothing. Without JavaScript there is no preview; the
POST reads the text the same way.
"""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from webapp.db import SessionDep
from webapp.schemas.task import QUICK_MAX
from webapp.services.due_dates import due_text
from webapp.services.due_form import repeat_text
from webapp.services.quick_add_service import ignored_spans, read_quick, with_ignored
from webapp.web.deps import CurrentUser
from webapp.web.htmx import render_parts
from webapp.web.task_views import user_clock

router = APIRouter(include_in_schema=False)

KIND_NAMES = {
    "date": "Due",
    "time": "Due",
    "repeat": "Repeats",
    "project": "Project",
    "label": "Label",
    "priority": "Priority",
}


@router.get("/tasks/quick-add/preview")
async def preview(request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    text = request.query_params.get("title", "").replace("\x00", " ")[:QUICK_MAX]
    ignore_text = request.query_params.get("ignore", "")[:500]
    clock = user_clock(request)
    ignore = ignored_spans(ignore_text)
    chips, title, hint, kept = [], "", None, ",".join(f"{a}-{b}" for a, b in ignore)
    if text.strip():
        quick = await read_quick(session, user.id, text, clock=clock, ignore=ignore)
        parsed = quick.parsed
        title = parsed.title
        if parsed.missing_project:
            hint = f"No project called “{parsed.missing_project}”: it stays in the title."
        for span in parsed.spans:
            dismissed = with_ignored(kept, span.start, span.end)
            chips.append(
                {
                    "kind": KIND_NAMES.get(span.kind, span.kind),
                    "text": span.text,
                    "url": "/tasks/quick-add/preview?"
                    + urlencode({"title": text, "ignore": dismissed}),
                    "ignore": dismissed,
                }
            )
        due = parsed.due_at or parsed.due_date
        summary = {
            "due": due_text(parsed, clock, clock.now()) if due else "",
            "repeat": repeat_text(parsed.recurrence, parsed.repeat_from),
        }
    else:
        summary = {"due": "", "repeat": ""}
    ctx = {"chips": chips, "title": title, "hint": hint, "ignore": kept, "summary": summary}
    return render_parts(request, [("_quick_preview.html", ctx)], {})
