"""The task list's rows: what each one shows, written once per row in Python.

_rows.html keeps a row's structure (its forms, buttons and ids). The parts that take
logic (the line of title, priority, project, labels, due date and age; the description;
Upcoming's day headings) are written here in one pass over the page: in the template
each was a few filter and function calls per row through Jinja's call machinery, and
fifty rows of them were a third of the list page's time.

The parts are plain `str` (the texts users type escaped here), which _rows.html writes
with autoescaping off; only due_tag, for the edit form, returns Markup. Adding a str to
a Markup would escape the str: escape()'s results only ever go into f-strings.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, NamedTuple
from urllib.parse import quote

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from webapp.models.base import utcnow
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

DESCRIPTION_LENGTH = 160  # a row shows the start of a description, cut at a word


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


_TWO_DIGITS = tuple(f"{n:02}" for n in range(100))  # indexing beats :02, five times a row


# The priority written out; the CSS adds its 1–3 bars, so colour is never the only cue.
PRIORITY_TAGS = {
    p.value: f'<span class="prio p-{p.value}"><span class=sr>Priority: </span>'
    f"{p.value.capitalize()}</span>"
    for p in Priority
}
# Medium is what a task has unless said otherwise: a dense row shows only the others, but
# a screen reader still hears every row's priority.
PRIORITY_TAGS[Priority.medium.value] = (
    '<span class="prio p-medium sr"><span class=sr>Priority: </span>Medium</span>'
)


def _time_tag(moment: datetime, now: datetime) -> str:
    """<time> with the machine-readable moment, the exact time on hover, and "5 min ago"."""
    ago = relative_time(moment, now)
    if moment.tzinfo is None or moment.utcoffset():  # not how the database gives them
        iso = moment.isoformat(timespec="seconds")
        return f'<time datetime={iso} title="Created {exact_time(moment)}">{ago}</time>'
    # In UTC: isoformat() and exact_time() from the same parts (each was 2 µs a row).
    two = _TWO_DIGITS
    day = f"{moment.year}-{two[moment.month]}-{two[moment.day]}"
    clock = f"{two[moment.hour]}:{two[moment.minute]}"
    iso = f"{day}T{clock}:{two[moment.second]}+00:00"
    return f'<time datetime={iso} title="Created {day} {clock} UTC">{ago}</time>'


def _due_tag(task: Any, clock: Clock, now: datetime) -> str:
    text = due_text(task, clock, now)
    if not text:
        return ""
    late = is_overdue(task, clock, now)
    day = due_day(task, clock)
    html = f'<time class="due{" late" if late else ""}" datetime={day.isoformat()}>'
    html += ("Overdue: " if late else "Due ") + text
    if task.recurrence:
        html += f"<span class=sr>, {escape(repeat_text(task.recurrence, task.repeat_from))}</span>"
        html += '<span aria-hidden=true class=repeat title="Repeats"> ↻</span>'
    return html + "</time>"


def due_tag(task: Any, clock: Clock, now: datetime) -> Markup:
    """When a task is due, in words ("Tomorrow 17:00"), and "Overdue" written out, never
    told by colour alone; a repeat says so too. Empty for an undated task."""
    return Markup(_due_tag(task, clock, now))


def day_heading(day: date | None, clock: Clock, now: datetime) -> str:
    """Upcoming's heading for a day: "Tomorrow · 8 Dec", "Friday · 11 Dec"."""
    if day is None:
        return "No date"
    named = day_name(day, now.astimezone(clock.tz).date(), clock.date_order)
    written = written_date(day, clock.date_order, with_year=False)
    return named if named == written else f"{named} · {written}"


def _label_chips(names: list[str], colors: dict[str, str]) -> str:
    """A task's labels: links to each label's list, sorted, coloured as the label is
    (a dot and the name, so colour is never the only cue)."""
    if not names:
        return ""
    chips = []
    for name in sorted(names, key=str.casefold):
        color = colors.get(name.casefold(), "grey")
        chips.append(
            f'<a class="chip c-{color}" href="/tasks?label={quote(name)}">{escape(name)}</a>'
        )
    return "".join(chips)


def _truncate(text: str, length: int = DESCRIPTION_LENGTH, end: str = "...") -> str:
    """Jinja's truncate filter (a leeway of 5, cut at a word), without its call."""
    if len(text) <= length + 5:
        return text
    return text[: length - len(end)].rsplit(" ", 1)[0] + end


class Row(NamedTuple):
    """One task as its row shows it: its id and state, and its markup parts. A tuple, so
    the template's loop unpacks it instead of reading six attributes through Jinja."""

    id: int
    done: bool
    focus: bool
    head: str  # Upcoming's heading for a new day, else ""
    line: str
    desc: str


def _row(task: Any, page: "_Page", head: str) -> Row:
    task_id, done = task.id, task.completed
    line = f"<span class=title id=title-{task_id}>{escape(task.title)}</span>"
    if done:
        line += "<span class=sr>. Completed</span>"
    line += " " + PRIORITY_TAGS[task.priority]
    project_id = task.project_id
    if page.show_project and project_id in page.project_names:
        name = escape(page.project_names[project_id])
        line += f" <a class=project href=/tasks?project={project_id}>{name}</a>"
    line += _label_chips(task.labels, page.label_colors)
    line += f" {_due_tag(task, page.clock, page.now)} {_time_tag(task.created_at, page.now)}"
    description = task.description
    desc = f"<p class=desc>{escape(_truncate(description))}</p>" if description else ""
    return Row(task_id, done, task_id == page.focus_task_id, head, line, desc)


class _Page:
    """What every row of one answer shares, read from the template's context once."""

    __slots__ = ("clock", "now", "project_names", "label_colors", "show_project", "focus_task_id")

    def __init__(self, context: Context) -> None:
        view = context.get("view")
        self.clock = context.get("clock") or Clock()
        self.now = context.get("now") or utcnow()
        self.project_names = context.get("project_names") or {}
        self.label_colors = context.get("label_colors") or {}
        # A project's own list does not name the project on every row.
        self.show_project = view is None or view.project is None
        self.focus_task_id = context.get("focus_task_id")


@pass_context
def task_rows(context: Context, tasks: Iterable[Any]) -> list[Row]:
    """The rows of `tasks`; in Upcoming (by due date) a day's first row carries its
    heading (li.day-head, not a row for j/k)."""
    page = _Page(context)
    view = context.get("view")
    by_day = view is not None and view.grouped_by_day and not context.get("one_row")
    rows, last = [], None
    for task in tasks:
        head = ""
        if by_day:
            day = due_day(task, page.clock)
            if day != last:
                head = f"<li class=day-head><h2>{day_heading(day, page.clock, page.now)}</h2></li>"
                last = day
        rows.append(_row(task, page, head))
    return rows
