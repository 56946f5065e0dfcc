"""The edit form's Due date, Due time and Repeat fields, to and from a task's due fields.

A form speaks the user's wall clock (a day, a time of day, "every monday"), a task
stores a date or a moment and an RRULE. The conversion happens here, in the user's
zone, so the page and the stored task can never disagree about which day was meant.
The Repeat field reads "every …" with quick add's own rules, so it accepts what the New
task field does; a repeat left as it was shown keeps its rule exactly.
"""

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from webapp.recurrence import RecurrenceError, describe, local_datetime, normalize_rrule
from webapp.schemas.task import DUE_YEARS, OUT_OF_YEARS
from webapp.services.due_dates import Clock
from webapp.services.quick_add import parse

_PLACEHOLDER = "x"  # a title for the parser, so the text after it is read as tokens alone
BAD_DATE = "Enter a date like 2027-01-30, or a word like “tomorrow”."
BAD_TIME = "Enter a time like 17:00."
TIME_NEEDS_DATE = "Choose a due date for this time, or clear the time."
BAD_REPEAT = "Write a repeat like “every monday” or “every 2 weeks”, or leave it empty."


def repeat_text(rule: str | None, repeat_from: str | None) -> str:
    """How the Repeat field shows a rule: "every 3 days", "every! 3 days" from completion."""
    if not rule:
        return ""
    try:
        text = describe(rule)
    except RecurrenceError:
        return rule
    return "every!" + text.removeprefix("every") if repeat_from == "completion" else text


def form_values(task: Any, clock: Clock) -> dict[str, str]:
    """The three fields as the edit form shows them for `task`."""
    day, at = "", ""
    if task.due_at is not None:
        local = task.due_at.astimezone(clock.tz)
        day, at = local.date().isoformat(), f"{local.hour:02}:{local.minute:02}"
    elif task.due_date is not None:
        day = task.due_date.isoformat()
    return {
        "due_date": day,
        "due_time": at,
        "repeat": repeat_text(task.recurrence, task.repeat_from),
    }


def _read(text: str, clock: Clock) -> Any:
    return parse(
        f"{_PLACEHOLDER} {text}", now=clock.now(), tz=clock.tz, date_order=clock.date_order
    )


def _day(text: str, clock: Clock) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parsed = _read(text, clock)
    if parsed.title != _PLACEHOLDER or parsed.recurrence:
        return None
    if parsed.due_at is not None:
        return parsed.due_at.astimezone(clock.tz).date()
    return parsed.due_date


def _time(text: str) -> time | None:
    try:
        return time.fromisoformat(text).replace(second=0, microsecond=0)
    except ValueError:
        return None


def due_changes(
    sent: Mapping[str, str], task: Any, clock: Clock
) -> tuple[dict[str, Any], dict[str, str]]:
    """(the TaskUpdate fields the sent due fields give, {field: message}). Fields not sent
    change nothing; an empty Due date clears the due, an empty Repeat the repeat."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    day_text = sent.get("due_date", "").strip() if "due_date" in sent else None
    time_text = sent.get("due_time", "").strip()
    day: date | None = None
    if day_text:
        day = _day(day_text[:100], clock)
        if day is None:
            errors["due_date"] = BAD_DATE
        elif day.year not in DUE_YEARS:
            errors["due_date"] = OUT_OF_YEARS
    at = _time(time_text[:20]) if time_text else None
    if time_text and at is None:
        errors["due_time"] = BAD_TIME
    elif at is not None and not day_text:
        errors["due_time"] = TIME_NEEDS_DATE
    if day_text is not None and not errors:
        changes |= _due(day, at, clock)
    if "repeat" in sent:
        text = sent["repeat"].strip()[:200]
        if not text:
            changes["recurrence"] = None
        elif text != repeat_text(task.recurrence, task.repeat_from):
            found = _repeat(text, clock)
            if found is None:
                errors["repeat"] = BAD_REPEAT
            else:
                rule, repeat_from, first = found
                changes |= {"recurrence": rule, "repeat_from": repeat_from}
                # No due given: the repeat's first ("every monday 9am": next Monday 9:00).
                if day_text == "" or (day_text is None and not _has_due(task)):
                    if isinstance(first, datetime):
                        changes |= {"due_at": first, "due_date": None}
                    else:
                        changes |= _due(first, None, clock)
    return changes, errors


def _has_due(task: Any) -> bool:
    return task.due_date is not None or task.due_at is not None


def _due(day: date | None, at: time | None, clock: Clock) -> dict[str, Any]:
    if day is None:
        return {"due_date": None, "due_at": None}
    if at is None:
        return {"due_date": day, "due_at": None}
    return {"due_date": None, "due_at": local_datetime(day, at, clock.tz)}


def _repeat(text: str, clock: Clock) -> tuple[str, str, date | datetime] | None:
    """(rule, repeat_from, first due) for "every …" text, or a raw RRULE."""
    if text.upper().startswith("FREQ="):
        try:
            return normalize_rrule(text), "due", clock.today()
        except RecurrenceError:
            return None
    parsed = _read(text, clock)
    if parsed.title != _PLACEHOLDER or not parsed.recurrence:
        return None
    first = parsed.due_at or parsed.due_date
    return parsed.recurrence, parsed.repeat_from or "due", first
