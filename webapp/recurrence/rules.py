"""The RRULE subset a task may repeat by: parsed, checked and written back canonically.

A task stores its repeat as an RFC 5545 RRULE without DTSTART: the task's current due
date plays that part. Only a small subset is accepted, so that every stored rule can be
expanded, described and exported the same way everywhere, and anything else is refused
with a sentence the user can act on (the text comes from forms and the JSON API).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SUPPORTED_KEYS = (
    "FREQ",
    "INTERVAL",
    "BYMONTH",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "COUNT",
    "UNTIL",
    "WKST",
)
MAX_LENGTH = 200
MAX_INTERVAL = 999
MAX_COUNT = 999

_ALLOWED = re.compile(r"[A-Z0-9=;,+\-]*")
_INTEGER = re.compile(r"[+-]?\d{1,4}")
_BYDAY_ITEM = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_UNTIL_UTC = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")
_CHARACTERS = (
    "A repeat rule can only use letters, digits and = ; , + -, as in FREQ=MONTHLY;BYDAY=-1FR."
)
_PART_LIST = "FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, COUNT, UNTIL or WKST"


class RecurrenceError(ValueError):
    """A repeat rule outside the supported subset; str(error) is a sentence for the user."""


@dataclass(frozen=True)
class Rule:
    """One parsed rule. `byday` holds (ordinal, weekday) pairs: 0 = no ordinal, Monday = 0."""

    freq: str
    interval: int = 1
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int, int], ...] = ()
    bysetpos: tuple[int, ...] = ()
    count: int | None = None
    until: date | datetime | None = None  # a date, or an aware moment in UTC

    def text(self) -> str:
        """The canonical RRULE: fixed key order, sorted values, defaults (INTERVAL=1, WKST=MO)
        left out, so that two rules meaning the same compare equal as strings."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        for key, values in (("BYMONTH", self.bymonth), ("BYMONTHDAY", self.bymonthday)):
            if values:
                parts.append(f"{key}={_join(values)}")
        if self.byday:
            days = ",".join(f"{n or ''}{WEEKDAY_CODES[day]}" for n, day in self.byday)
            parts.append(f"BYDAY={days}")
        if self.bysetpos:
            parts.append(f"BYSETPOS={_join(self.bysetpos)}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={_basic_format(self.until)}")
        return ";".join(parts)


def _basic_format(until: date | datetime) -> str:
    # By hand: strftime's %Y gives year 4 as "4", not "0004", on glibc.
    day = f"{until.year:04d}{until.month:02d}{until.day:02d}"
    if isinstance(until, datetime):
        return f"{day}T{until.hour:02d}{until.minute:02d}{until.second:02d}Z"
    return day


def _join(values: tuple[int, ...]) -> str:
    return ",".join(str(value) for value in values)


def parse_rule(text: object) -> Rule:
    """The Rule that `text` spells, or RecurrenceError saying what to change."""
    parts = _split(_clean(text))
    freq = parts.pop("FREQ", None)
    if freq is None:
        raise RecurrenceError("A repeat rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.")
    if freq not in FREQS:
        raise RecurrenceError(f"Repeats can be DAILY, WEEKLY, MONTHLY or YEARLY, not {freq[:12]}.")
    if parts.pop("WKST", "MO") != "MO":
        raise RecurrenceError("Weeks start on Monday here, so WKST can only be MO.")
    bymonth = _ints(parts, "BYMONTH", 12, negative=False)
    rule = Rule(
        freq=freq,
        interval=_number(parts, "INTERVAL", MAX_INTERVAL),
        bymonth=bymonth,
        bymonthday=_ints(parts, "BYMONTHDAY", 31, negative=True),
        byday=_byday(parts.pop("BYDAY", None), freq, bool(bymonth)),
        bysetpos=_ints(parts, "BYSETPOS", 366, negative=True),
        count=_number(parts, "COUNT", MAX_COUNT) if "COUNT" in parts else None,
        until=_until(parts.pop("UNTIL", None)),
    )
    _check_combination(rule)
    return rule


def _clean(text: object) -> str:
    if not isinstance(text, str):
        raise RecurrenceError("A repeat rule must be text, such as FREQ=WEEKLY;BYDAY=MO.")
    if len(text) > MAX_LENGTH:
        raise RecurrenceError(f"A repeat rule can be at most {MAX_LENGTH} characters long.")
    # ASCII first: upper() turns some other letters into ASCII ones ("ı" into "I").
    if not text.isascii():
        raise RecurrenceError(_CHARACTERS)
    body = text.strip().upper()
    if "DTSTART" in body:
        raise RecurrenceError("Leave out DTSTART: the task's due date is where it starts.")
    body = body.removeprefix("RRULE:")
    if not body:
        raise RecurrenceError("The repeat rule is empty; an example is FREQ=WEEKLY;BYDAY=MO.")
    # Checked before any part is echoed back, so no message quotes a NUL or a surrogate.
    if not _ALLOWED.fullmatch(body):
        raise RecurrenceError(_CHARACTERS)
    return body


def _split(body: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in filter(None, body.split(";")):
        key, equals, value = part.partition("=")
        if not equals:
            raise RecurrenceError(
                f"The part “{part[:20]}” is not KEY=VALUE; separate parts with semicolons, "
                "as in FREQ=WEEKLY;BYDAY=MO."
            )
        if key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            raise RecurrenceError(f"{key} is not supported: the time comes from the due time.")
        if key not in SUPPORTED_KEYS:
            raise RecurrenceError(f"{key[:20]} is not supported; a rule can use {_PART_LIST}.")
        if key in parts:
            raise RecurrenceError(f"{key} appears twice; give each part once.")
        parts[key] = value
    return parts


def _number(parts: dict[str, str], key: str, highest: int) -> int:
    value = parts.pop(key, "1")
    if not value.isdigit() or not 1 <= int(value[:6]) <= highest:
        raise RecurrenceError(f"{key} must be a whole number from 1 to {highest}.")
    return int(value)


def _ints(parts: dict[str, str], key: str, highest: int, *, negative: bool) -> tuple[int, ...]:
    value = parts.pop(key, None)
    if value is None:
        return ()
    span = f"from 1 to {highest} or -1 to -{highest}" if negative else f"from 1 to {highest}"
    numbers = []
    for item in value.split(","):
        number = int(item) if _INTEGER.fullmatch(item) else 0
        if not 1 <= abs(number) <= highest or (number < 0 and not negative):
            raise RecurrenceError(f"{key} values must be whole numbers {span}.")
        numbers.append(number)
    return tuple(sorted(set(numbers)))


def _byday(value: str | None, freq: str, has_month: bool) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    # A numbered weekday counts within the month, or within the year for a yearly rule
    # without BYMONTH (RFC 5545, 3.3.10).
    highest = 53 if freq == "YEARLY" and not has_month else 5
    days = set()
    for item in value.split(","):
        found = _BYDAY_ITEM.fullmatch(item)
        if found is None:
            raise RecurrenceError(
                "BYDAY takes weekdays such as MO,FR, or -1FR for the last Friday."
            )
        ordinal = int(found[1] or 0)
        if found[1] and freq in ("DAILY", "WEEKLY"):
            raise RecurrenceError(
                f"A numbered weekday such as {item} needs FREQ=MONTHLY or YEARLY."
            )
        if found[1] and not 1 <= abs(ordinal) <= highest:
            raise RecurrenceError(
                f"A weekday number must be from 1 to {highest} or -1 to -{highest} here."
            )
        days.add((ordinal, WEEKDAY_CODES.index(found[2])))
    # dateutil would take MO,1TU as the days that are both, so never; RFC 5545 means either.
    if len({ordinal == 0 for ordinal, _ in days}) > 1:
        raise RecurrenceError(
            "BYDAY takes plain weekdays (MO,FR) or numbered ones (1MO,-1FR), not both."
        )
    return tuple(sorted(days, key=lambda pair: (pair[1], pair[0])))


def _until(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    try:
        if found := _until_utc(value):
            return found
        if day := _UNTIL_DATE.fullmatch(value):
            return date(int(day[1]), int(day[2]), int(day[3]))
    except ValueError:
        pass
    raise RecurrenceError(
        "UNTIL must be a date such as 20270301 or a UTC time such as 20270301T170000Z."
    )


def _until_utc(value: str) -> datetime | None:
    found = _UNTIL_UTC.fullmatch(value)
    if found is None:
        return None
    numbers = [int(group) for group in found.groups()]
    return datetime(*numbers, tzinfo=UTC)


def _check_combination(rule: Rule) -> None:
    if rule.count is not None and rule.until is not None:
        raise RecurrenceError("Use COUNT or UNTIL, not both.")
    if rule.bymonthday and rule.freq == "WEEKLY":
        raise RecurrenceError("BYMONTHDAY cannot be used with FREQ=WEEKLY.")
    if rule.bysetpos and not (rule.byday or rule.bymonthday or rule.bymonth):
        raise RecurrenceError("BYSETPOS needs BYDAY, BYMONTHDAY or BYMONTH to pick from.")
    # Beyond these two, a rule could pick nothing in every period; the subset stays where
    # a rule that lands can be told apart by its text alone (webapp.recurrence.grammar).
    if any(abs(position) != 1 for position in rule.bysetpos):
        raise RecurrenceError(
            "BYSETPOS can be 1 or -1: the first or the last day the rest of the rule picks."
        )
    if rule.bymonthday and any(ordinal for ordinal, _ in rule.byday):
        raise RecurrenceError(
            "A numbered weekday such as 1MO cannot go with BYMONTHDAY; "
            "use plain weekdays (MO) with it."
        )
