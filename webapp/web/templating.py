"""The one Jinja2 environment every HTML response renders with, and its filters."""

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from webapp.config import PROJECT_ROOT
from webapp.models.base import utcnow
from webapp.models.project import COLORS
from webapp.models.task import Priority
from webapp.services.due_dates import (
    Clock,
    day_name,
    due_day,
    due_text,
    is_overdue,
    written_date,
)
from webapp.services.due_form import repeat_text
from webapp.web.cookies import csrf_token, theme_of

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
STATIC_PREFIX = "/static/"


def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 hours ago", "yesterday", "4 days ago", else the date."""
    now = now or utcnow()
    seconds = (now - moment).total_seconds()
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(seconds / 3600)
    if hours < 24:
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    days = (now.date() - moment.astimezone(now.tzinfo).date()).days
    if days <= 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    if moment.year == now.year:
        return f"{moment.day} {moment:%b}"
    return f"{moment.day} {moment:%b %Y}"


def exact_time(moment: datetime) -> str:
    """ "2026-12-01 09:55 UTC" (formatted by hand: strftime is slow, fifty times a page)."""
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    m = moment
    return f"{m.year}-{m.month:02}-{m.day:02} {m.hour:02}:{m.minute:02} UTC"


PRIORITY_TAGS = {
    p.value: Markup(
        f'<span class="prio p-{p.value}"><span class=sr>Priority: </span>'
        f"{p.value.capitalize()}</span>"
    )
    for p in Priority
}
# Medium is what a task has unless said otherwise: a dense row shows only the others, but
# a screen reader still hears every row's priority.
PRIORITY_TAGS[Priority.medium.value] = Markup(
    '<span class="prio p-medium sr"><span class=sr>Priority: </span>Medium</span>'
)


def priority_tag(priority: str) -> Markup:
    """The priority written out; the CSS adds its 1–3 bars, so colour is never the only cue."""
    return PRIORITY_TAGS[priority]


def time_tag(moment: datetime) -> Markup:
    """<time> with the machine-readable moment, the exact time on hover, and "5 min ago"."""
    return Markup(
        f'<time datetime={moment.isoformat(timespec="seconds")} title="Created '
        f'{exact_time(moment)}">{relative_time(moment)}</time>'
    )


def due_tag(task: Any, clock: Clock, now: datetime) -> Markup:
    """When a task is due, in words ("Tomorrow 17:00"), and "Overdue" written out, never
    told by colour alone; a repeat says so too. Empty for an undated task."""
    text = due_text(task, clock, now)
    if not text:
        return Markup("")
    late = is_overdue(task, clock, now)
    day = due_day(task, clock)
    html = f'<time class="due{" late" if late else ""}" datetime={day.isoformat()}>'
    html += ("Overdue: " if late else "Due ") + text
    if task.recurrence:
        html += f"<span class=sr>, {escape(repeat_text(task.recurrence, task.repeat_from))}</span>"
        html += '<span aria-hidden=true class=repeat title="Repeats"> ↻</span>'
    return Markup(html + "</time>")


def day_heading(day: date | None, clock: Clock, now: datetime) -> str:
    """Upcoming's heading for a day: "Tomorrow · 8 Dec", "Friday · 11 Dec"."""
    if day is None:
        return "No date"
    named = day_name(day, now.astimezone(clock.tz).date(), clock.date_order)
    written = written_date(day, clock.date_order, with_year=False)
    return named if named == written else f"{named} · {written}"


def hidden_fields(request: Request, return_to: str) -> Markup:
    """The two hidden fields of every form of the list: the CSRF token, and the view to go
    back to (left out for the plain list, the default)."""
    html = f'<input type=hidden name=csrf_token value="{csrf_token(request)}">'
    if return_to != "/tasks":
        html += f'<input type=hidden name=return_to value="{escape(return_to)}">'
    return Markup(html)


def label_chips(names: list[str], colors: dict[str, str]) -> Markup:
    """A task's labels: links to each label's list, sorted, coloured as the label is
    (a dot and the name, so colour is never the only cue). One call per row."""
    if not names:
        return Markup("")
    chips = []
    for name in sorted(names, key=str.casefold):
        color = colors.get(name.casefold(), "grey")
        chips.append(
            f'<a class="chip c-{color}" href="/tasks?label={quote(name)}">{escape(name)}</a>'
        )
    return Markup("".join(chips))


def static(path: str) -> str:
    """The address of a file in static/ (a plain string: url_for is slow, three times a page)."""
    return STATIC_PREFIX + path


templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["theme_of"] = theme_of
templates.env.globals["static"] = static
templates.env.globals["hidden_fields"] = hidden_fields
templates.env.globals["priority_choices"] = [
    (p.value, p.value.capitalize()) for p in reversed(Priority)
]
templates.env.globals["priorities"] = list(Priority)
templates.env.globals["colors"] = COLORS
templates.env.filters["since"] = relative_time
templates.env.filters["exact_time"] = exact_time
templates.env.filters["priority_tag"] = priority_tag
templates.env.filters["time_tag"] = time_tag
templates.env.globals["label_chips"] = label_chips
templates.env.globals["due_tag"] = due_tag
templates.env.globals["day_heading"] = day_heading
templates.env.globals["due_day"] = due_day
