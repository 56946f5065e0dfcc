"""When a repeating task is due first, and when it is due next after it is completed.

Occurrences are computed in the user's wall-clock time and only then given the zone, so
a task at 09:00 stays at 09:00 across DST changes, where adding 24 hours would not.
dateutil expands the rule; this module decides where a series starts, how far to look
and how COUNT and UNTIL end it, since a task stores only its current due and its rule:
the current due is the series' DTSTART, and COUNT is what is left of it, that due included.
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from webapp.recurrence.rules import RecurrenceError, Rule, parse_rule

Due = date | datetime
RepeatFrom = Literal["due", "completion"]

_FREQ = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY, "YEARLY": du.YEARLY}
_WEEKDAYS = (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU)
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7}
# The Gregorian calendar, weekdays and leap days included, repeats every 400 years. Each
# search is moved by whole cycles so that it runs into the year 9999, where dateutil
# stops by itself, 100 to 500 years after the search begins: a rule that never matches
# (FREQ=DAILY;INTERVAL=7;BYDAY=TU from a Monday) would otherwise keep dateutil looking,
# period after period, all the way from today to 9999, which takes seconds.
_CYCLE_YEARS = 400
_LAST_SEARCH_YEAR = MAXYEAR - 100
# All 14 kinds of year (leap or not, 7 first weekdays) occur from 9970 to 9997, so a
# rule that matches no day there matches no day ever.
_PROBE_START = datetime(9970, 1, 1)
_UTC_ZONE = ZoneInfo("UTC")


def as_zone(tz: str | ZoneInfo) -> ZoneInfo:
    """The zone for an IANA name (ZoneInfoNotFoundError for an unknown one)."""
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def local_datetime(day: date, at: time, tz: str | ZoneInfo) -> datetime:
    """`day` at wall-clock time `at` in the zone. A time skipped by a spring-forward change
    moves on by the gap (02:30 → 03:30 in Berlin on 29 Mar 2026); a time that happens twice
    is the first of the two (fold=0)."""
    return _localize(datetime.combine(day, at.replace(tzinfo=None)), as_zone(tz))


def normalize_rrule(text: str) -> str:
    """The canonical form of a supported rule; RecurrenceError for anything else, including
    a rule that never lands on a date (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30)."""
    rule = parse_rule(text)
    # INTERVAL is left out: whether a rule lands in step with its start depends on the
    # start (FREQ=MONTHLY;INTERVAL=12;BYMONTH=3 from a due in March, not January).
    probe = replace(rule, interval=1, count=None, until=None)
    if next(_occurrences(probe, _PROBE_START, _UTC_ZONE, _PROBE_START), None) is None:
        raise RecurrenceError(
            "This repeat never lands on a date; check BYMONTH, BYMONTHDAY, BYDAY and BYSETPOS."
        )
    return rule.text()


def first_occurrence(rule: str, *, start: Due, tz: str | ZoneInfo) -> Due | None:
    """The first occurrence on `start` (a date) or at/after `start` (an aware moment, whose
    time of day the occurrences keep); None when the rule has none."""
    parsed, zone = parse_rule(rule), as_zone(tz)
    begin = _wall(start, zone) if isinstance(start, datetime) else _midnight(start)
    found = next(_occurrences(parsed, begin, zone, begin), None)
    return None if found is None else _shape(found, start, zone)


def next_due(
    rule: str,
    *,
    due: Due,
    tz: str | ZoneInfo,
    repeat_from: RepeatFrom,
    completed_at: datetime,
) -> tuple[Due, str] | None:
    """The due date (or moment) and rule that follow completing a task due at `due`; None
    when the series is over. See next_after_due and next_after_completion."""
    parsed, zone = parse_rule(rule), as_zone(tz)
    if repeat_from == "due":
        return next_after_due(parsed, due=due, zone=zone, completed_at=completed_at)
    if repeat_from == "completion":
        return next_after_completion(parsed, due=due, zone=zone, completed_at=completed_at)
    raise ValueError(f"repeat_from must be 'due' or 'completion', not {repeat_from!r}")


def next_after_due(
    rule: Rule, *, due: Due, zone: ZoneInfo, completed_at: datetime
) -> tuple[Due, str] | None:
    """The first occurrence strictly after max(due, today) for a date, after max(due, now)
    for a moment: missed occurrences are skipped, not replayed, and (being part of the
    series) they use up COUNT like the completed one does."""
    if isinstance(due, datetime):
        start = _wall(due, zone)
        last = max(due, completed_at)
        look_from = _wall(last, zone)

        def is_past(found: datetime) -> bool:
            return _localize(found, zone) <= last
    else:
        start = _midnight(due)
        last_day = max(due, _wall(completed_at, zone).date())
        look_from = _midnight(last_day)

        def is_past(found: datetime) -> bool:
            return found.date() <= last_day

    used = 0
    for found in _occurrences(rule, _skip_ahead(rule, start, look_from), zone, look_from):
        if found <= start:
            continue  # the due being completed, which the rule may or may not match
        used += 1
        if rule.count is not None and used >= rule.count:
            return None
        if not is_past(found):
            left = None if rule.count is None else rule.count - used
            return _shape(found, due, zone), replace(rule, count=left).text()
    return None


def next_after_completion(
    rule: Rule, *, due: Due, zone: ZoneInfo, completed_at: datetime
) -> tuple[Due, str] | None:
    """The first occurrence after the day of completion in the user's zone (not UTC's),
    keeping a timed task's time of day rather than the moment of the click."""
    if rule.count == 1:
        return None
    at = _wall(due, zone).time() if isinstance(due, datetime) else time()
    anchor = datetime.combine(_wall(completed_at, zone).date(), at)
    for found in _occurrences(rule, anchor, zone, anchor):
        if found > anchor:
            left = None if rule.count is None else rule.count - 1
            return _shape(found, due, zone), replace(rule, count=left).text()
    return None


def _occurrences(
    rule: Rule, dtstart: datetime, zone: ZoneInfo, look_from: datetime
) -> Iterator[datetime]:
    """Naive wall-clock occurrences from dtstart on, in order, up to UNTIL and at least 100
    years past look_from. COUNT is left to the callers, who know where the series began."""
    shift = max(0, (_LAST_SEARCH_YEAR - max(dtstart, look_from).year) // _CYCLE_YEARS)
    years = shift * _CYCLE_YEARS
    expanded = du.rrule(
        _FREQ[rule.freq],
        dtstart=dtstart.replace(year=dtstart.year + years),
        interval=rule.interval,
        wkst=du.MO,
        bymonth=rule.bymonth or None,
        bymonthday=rule.bymonthday or None,
        byweekday=[_WEEKDAYS[day](n) if n else _WEEKDAYS[day] for n, day in rule.byday] or None,
        bysetpos=rule.bysetpos or None,
        until=_until(rule, zone, years),
    )
    try:
        for found in expanded:
            yield found.replace(year=found.year - years)
    except (OverflowError, ValueError):
        return  # ran off the end of the calendar


def _until(rule: Rule, zone: ZoneInfo, years: int) -> datetime | None:
    """UNTIL as a naive local bound, moved like the search; a date UNTIL includes its day."""
    if rule.until is None:
        return None
    try:
        if isinstance(rule.until, datetime):
            end = rule.until.astimezone(zone).replace(tzinfo=None)
        else:
            end = datetime.combine(rule.until, time.max)
        return end.replace(year=end.year + years)
    except (OverflowError, ValueError):
        return None  # beyond the calendar's end, where the search stops anyway


def _skip_ahead(rule: Rule, start: datetime, look_from: datetime) -> datetime:
    """A later DTSTART in step with `start`, so that a task due long ago is not walked
    period by period up to today. Not with COUNT, which must see every date."""
    if rule.count is not None:
        return start
    if rule.freq in _PERIOD_DAYS:
        step = rule.interval * _PERIOD_DAYS[rule.freq]
        periods = (look_from - start).days // step - 1
        return _add_days(start, periods * step) if periods > 0 else start
    # Months and years differ in length, so jump only by whole calendar cycles, of which
    # INTERVAL whole ones keep the series in step too.
    step = rule.interval * _CYCLE_YEARS
    cycles = (look_from.year - start.year - 1) // step
    return start.replace(year=start.year + cycles * step) if cycles > 0 else start


def _add_days(moment: datetime, days: int) -> datetime:
    try:
        return moment + timedelta(days=days)
    except OverflowError:
        return datetime.max


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment must be timezone-aware")
    return moment.astimezone(zone).replace(tzinfo=None)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _shape(found: datetime, like: Due, zone: ZoneInfo) -> Due:
    return _localize(found, zone) if isinstance(like, datetime) else found.date()


def _localize(naive: datetime, zone: ZoneInfo) -> datetime:
    # With fold=0 a wall time inside a gap is read with the offset from before the gap, so
    # the round trip through UTC lands as far past the gap's end as it was past its start.
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)
