"""The chosen date, time and repeat tokens turned into the task's due and recurrence.

A date alone is a date-only due (never an invented time); a time makes it a moment in
the user's zone. A time with no date is today's, or tomorrow's once it has passed. A
repeat starts on its first occurrence on or after today, or at or after now when it has
a time: "every day 9am" at 10:00 starts tomorrow.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from webapp.recurrence import (
    RecurrenceError,
    first_occurrence,
    local_datetime,
    normalize_rrule,
)
from webapp.services.quick_add.model import Candidate, Clock, Context, Repeat, RepeatEnd, Tonight
from webapp.services.quick_add.repeat import month_end
from webapp.services.quick_add.when import tonight_time


@dataclass(frozen=True)
class When:
    due_date: date | None = None
    due_at: datetime | None = None
    recurrence: str | None = None
    repeat_from: str | None = None


def resolve(chosen: list[Candidate], ctx: Context) -> When | None:
    """The due the tokens give; None when they give none (a repeat that never happens,
    as "every day until yesterday"), and the tokens then stay literal."""
    if not chosen:
        return When()
    values = [c.value for c in chosen]
    day = next((v for v in values if isinstance(v, date | Tonight)), None)
    clock = next((v for v in values if isinstance(v, Clock)), None)
    repeat = next((v for v in values if isinstance(v, Repeat)), None)
    end = next((v for v in values if isinstance(v, RepeatEnd)), None)
    start = _start(day, clock, ctx, repeating=repeat is not None)
    if repeat is None:
        if isinstance(start, datetime):
            return When(due_at=start)
        return When(due_date=start)
    return _repeating(replace(repeat, end=repeat.end or end), start, ctx)


def _start(
    day: date | Tonight | None, clock: Clock | None, ctx: Context, *, repeating: bool
) -> date | datetime:
    """The due before any repeat: a date, or a moment when there is a time."""
    if isinstance(day, datetime):  # "in 2 hours" is the moment itself
        return day
    if isinstance(day, Tonight):
        return local_datetime(day.day, tonight_time(clock), ctx.zone)
    on = day or ctx.today
    if repeating:
        on = max(on, ctx.today)  # a repeat starts today at the earliest
    if clock is None:
        return on
    moment = local_datetime(on, clock.at, ctx.zone)
    # A time alone, or a repeat's time, is the next such time: tomorrow once it has
    # passed today. With a date ("today 9am", "friday 5pm") it is just that moment.
    if moment < ctx.now and (day is None or repeating):
        moment = local_datetime(on + timedelta(days=1), clock.at, ctx.zone)
    return moment


def _repeating(repeat: Repeat, start: date | datetime, ctx: Context) -> When | None:
    first_day = start.date() if isinstance(start, datetime) else start
    try:
        rule = normalize_rrule(_rrule(repeat, first_day, repeat.spec.interval))
        # The first due is the next date that fits, and the interval counts from there:
        # "every other tuesday" said on a Wednesday starts next Tuesday, not in 13 days.
        fits = normalize_rrule(_rrule(repeat, first_day, 1))
    except RecurrenceError:
        return None
    first = first_occurrence(fits, start=start, tz=ctx.zone)
    if first is None:
        return None
    repeat_from = "completion" if repeat.spec.from_completion else "due"
    if isinstance(first, datetime):
        return When(due_at=first, recurrence=rule, repeat_from=repeat_from)
    return When(due_date=first, recurrence=rule, repeat_from=repeat_from)


def _rrule(repeat: Repeat, start: date, interval: int) -> str:
    spec = repeat.spec
    parts = {
        "BYMONTH": spec.bymonth,
        "BYMONTHDAY": spec.bymonthday,
        "BYDAY": spec.byday,
        "BYSETPOS": spec.bysetpos,
    }
    # A plain monthly or yearly repeat takes its day from the due date, and the due date
    # is all that is stored; starting on the 30th it would skip February, so say "the
    # 30th or the month's last day" outright.
    if spec.freq == "MONTHLY" and not (spec.byday or spec.bymonthday) and start.day > 28:
        clamp = month_end(start.day)
        parts["BYMONTHDAY"], parts["BYSETPOS"] = clamp["bymonthday"], clamp.get("bysetpos", ())
    if (
        spec.freq == "YEARLY"
        and not (spec.bymonth or spec.byday)
        and (start.month, start.day) == (2, 29)
    ):
        parts.update(BYMONTH=(2,), BYMONTHDAY=(28, 29), BYSETPOS=(-1,))
    text = [f"FREQ={spec.freq}", f"INTERVAL={interval}"]
    text += [f"{key}={','.join(map(str, values))}" for key, values in parts.items() if values]
    if until := _until(repeat.end, start):
        text.append(f"UNTIL={until:%Y%m%d}")
    return ";".join(text)


def _until(end: RepeatEnd | None, start: date) -> date | None:
    if end is None:
        return None
    if end.until is not None:
        return end.until
    try:  # "for 2 weeks" from Wednesday ends on the Tuesday after next
        return start + end.length - timedelta(days=1)
    except (OverflowError, ValueError):
        return None
