"""When tasks are due, as the user's own clock says: "today", "overdue", Upcoming's days.

A user's day starts at midnight in their zone, not the server's or UTC's: a date-only
task is overdue once its day has ended there, and a timed one once its moment has passed.
Everything that asks such a question (the views, the sidebar's Today count, a row's
"Overdue") asks it here, so they all agree.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from webapp.models.base import utcnow
from webapp.recurrence import as_zone, local_datetime

UPCOMING_DAYS = 14
_FIRST_DAY = date(1, 1, 2)  # "no lower bound", still a date PostgreSQL and Python share
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Clock:
    """A user's zone and date order: how their days are cut and their dates written."""

    zone: str = "UTC"
    date_order: str = "DMY"

    @property
    def tz(self) -> ZoneInfo:
        return as_zone(self.zone)

    def now(self) -> datetime:
        return utcnow().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    def start_of(self, day: date) -> datetime:
        """Midnight of `day` in the user's zone (moved on by a DST gap, if midnight is in one)."""
        return local_datetime(day, time(), self.tz)


@dataclass(frozen=True)
class DueRange:
    """Tasks due from `first` to `last` (days, both included) in the user's zone."""

    first: date
    last: date
    zone: str = "UTC"

    @classmethod
    def today(cls, clock: Clock) -> "DueRange":
        """Today and everything overdue."""
        return cls(_FIRST_DAY, clock.today(), clock.zone)

    @classmethod
    def upcoming(cls, clock: Clock, days: int = UPCOMING_DAYS) -> "DueRange":
        today = clock.today()
        return cls(today, today + timedelta(days=days - 1), clock.zone)

    def bounds(self) -> dict[str, Any]:
        """The values the SQL conditions compare (task_query.due_conditions): the days,
        the moments they span in the zone, and the same widened to whole UTC days for the
        index key (which holds a date-only task at its day's start in UTC)."""
        clock = Clock(self.zone)
        start = clock.start_of(self.first) if self.first > _FIRST_DAY else _utc(self.first)
        end = clock.start_of(self.last + timedelta(days=1))
        return {
            "d0": self.first,
            "d1": self.last,
            "m0": start,
            "m1": end,
            "k0": min(start, _utc(self.first)),
            "k1": max(end, _utc(self.last + timedelta(days=1))),
        }

    def matches(self, task: Any) -> bool:
        """The same rule as the SQL, in Python."""
        if task.due_date is not None:
            return self.first <= task.due_date <= self.last
        if task.due_at is not None:
            day = task.due_at.astimezone(as_zone(self.zone)).date()
            return self.first <= day <= self.last
        return False


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def due_day(task: Any, clock: Clock) -> date | None:
    """The day the task is due on in the user's zone."""
    if task.due_date is not None:
        return task.due_date
    if task.due_at is not None:
        return task.due_at.astimezone(clock.tz).date()
    return None


def is_overdue(task: Any, clock: Clock, now: datetime) -> bool:
    """Past its moment, or past the end of its day (in the user's zone); done is never late."""
    if task.completed:
        return False
    if task.due_at is not None:
        return task.due_at < now
    return task.due_date is not None and task.due_date < now.astimezone(clock.tz).date()


def day_name(day: date, today: date, date_order: str) -> str:
    """ "Today", "Tomorrow", "Yesterday", a weekday within the coming week, else the date
    written in the user's order ("30 Jan", "Jan 30", "2027-01-30" for another year's)."""
    delta = (day - today).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Tomorrow"
    if delta == -1:
        return "Yesterday"
    if 1 < delta < 7:
        return _WEEKDAYS[day.weekday()]
    return written_date(day, date_order, with_year=day.year != today.year)


def written_date(day: date, date_order: str, *, with_year: bool = True) -> str:
    if date_order == "YMD":
        return day.isoformat() if with_year else f"{day.month:02}-{day.day:02}"
    month = _MONTHS[day.month - 1]
    text = f"{month} {day.day}" if date_order == "MDY" else f"{day.day} {month}"
    if with_year:
        text += f", {day.year}" if date_order == "MDY" else f" {day.year}"
    return text


def due_text(task: Any, clock: Clock, now: datetime) -> str:
    """What a row says of when the task is due: "Tomorrow 17:00", "Friday", "3 Mar"."""
    day = due_day(task, clock)
    if day is None:
        return ""
    text = day_name(day, now.astimezone(clock.tz).date(), clock.date_order)
    if task.due_at is not None:
        local = task.due_at.astimezone(clock.tz)
        text += f" {local.hour:02}:{local.minute:02}"
    return text
