"""Dates and times: the rules for one date, one time of day, or "in N units".

Each rule looks at the words from index `i` and returns how far it read and what it
found, or None. They do not decide whether the words are a token: that depends on where
they stand in the text (see choose.py).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from webapp.services.quick_add import vocab
from webapp.services.quick_add.model import Clock, Context, Tonight


@dataclass(frozen=True)
class Found:
    end: int  # the word index after the last word read
    value: date | Tonight | Clock | datetime
    weak: bool = False


def date_at(ctx: Context, i: int) -> Found | None:
    """A date: today, tomorrow, friday, next week, 27/1, jan 27th, end of month, …"""
    for rule in (_keyword, _next_or_this, _weekday, _numeric, _named):
        if found := rule(ctx, i):
            return found
    return None


def time_at(ctx: Context, i: int) -> Found | None:
    """A time of day: 5pm, 5:30 pm, 17:00, at 9 (09:00), @ 7pm, @7pm, noon, midnight."""
    word, at = ctx.core(i), False
    if word in vocab.AT:
        i, word, at = i + 1, ctx.core(i + 1), True
    elif word.startswith("@"):
        word, at = word[1:], True
    if word in ("noon", "midday"):
        return Found(i + 1, Clock(time(12)))
    if word == "midnight":
        return Found(i + 1, Clock(time(0)))
    clock = vocab.CLOCK.fullmatch(word)
    if clock is None:
        return None
    hour, minutes, meridiem = int(clock[1]), int(clock[2] or 0), clock[3]
    end = i + 1
    if meridiem is None and ctx.core(end) in vocab.MERIDIEMS:
        meridiem, end = ctx.core(end), end + 1
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        return Found(end, Clock(time(hour % 12 + vocab.MERIDIEMS[meridiem], minutes)))
    # A bare number is a time only after "at": "at 9" is 09:00, "chapter 9" is no time.
    if clock[2] is None and not at:
        return None
    return Found(end, Clock(time(hour, minutes), meridiem=False))


def in_at(ctx: Context, i: int) -> Found | None:
    """ "in 3 days", "in a week", "in 2 wks" (a date); "in 30 minutes", "in an hour" (a moment)."""
    if ctx.core(i) != "in":
        return None
    count, unit = amount(ctx, i + 1)
    if unit is None:
        return None
    if unit in ("minutes", "hours"):
        # Added in UTC: "in 2 hours" is two real hours, also across a DST change.
        start = ctx.now.replace(second=0, microsecond=0).astimezone(UTC)
        return Found(i + 3, (start + timedelta(**{unit: count})).astimezone(ctx.zone))
    try:
        return Found(i + 3, ctx.today + relativedelta(**{unit: count}))
    except (OverflowError, ValueError):
        return None


def amount(ctx: Context, i: int) -> tuple[int, str | None]:
    """ "3 days" → (3, "days"), "a week" → (1, "weeks"); (0, None) when it is no amount."""
    number, unit = ctx.core(i), vocab.UNITS.get(ctx.core(i + 1))
    if unit is None:
        return 0, None
    if number in vocab.ONE:
        return 1, unit
    if vocab.NUMBER.fullmatch(number):
        return int(number), unit
    return 0, None


def upcoming(ctx: Context, month: int, day: int) -> date | None:
    """The first `day` of `month` on or after today: "27 jan" in December is next year's."""
    for year in range(ctx.today.year, ctx.today.year + 9):  # 29 Feb can be 8 years away
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= ctx.today:
            return found
    return None


def _keyword(ctx: Context, i: int) -> Found | None:
    word, today = ctx.core(i), ctx.today
    if word == "today":
        return Found(i + 1, today)
    if word == "tonight":
        return Found(i + 1, Tonight(today))
    if word in ("tomorrow", "tmr", "tom"):
        return Found(i + 1, today + timedelta(days=1), weak=word in vocab.WEAK)
    if word == "end" and ctx.core(i + 1) == "of":
        month = i + 3 if ctx.core(i + 2) == "the" else i + 2
        if ctx.core(month) == "month":
            return Found(month + 1, today + relativedelta(day=31))
    return None


def _next_or_this(ctx: Context, i: int) -> Found | None:
    """Weeks start on Monday: "next friday" is the Friday of next week, "next week" its
    Monday; "this weekend" is this week's Saturday (today on a Saturday or Sunday)."""
    which, what = ctx.core(i), ctx.core(i + 1)
    if which not in ("next", "this"):
        return None
    today = ctx.today
    monday = today - timedelta(days=today.weekday())
    if which == "next":
        monday += timedelta(weeks=1)
    if what in vocab.WEEKDAYS:
        day = vocab.WEEKDAYS[what]
        if which == "this":
            return Found(i + 2, today + timedelta(days=(day - today.weekday()) % 7))
        return Found(i + 2, monday + timedelta(days=day))
    if what == "weekend":
        return Found(i + 2, max(today, monday + timedelta(days=5)))
    if which == "next" and what == "week":
        return Found(i + 2, monday)
    if which == "next" and what == "month":
        return Found(i + 2, today + relativedelta(months=1, day=1))
    return None


def _weekday(ctx: Context, i: int) -> Found | None:
    """ "friday": the nearest Friday on or after today."""
    word = ctx.core(i)
    if word not in vocab.WEEKDAYS:
        return None
    ahead = (vocab.WEEKDAYS[word] - ctx.today.weekday()) % 7
    return Found(i + 1, ctx.today + timedelta(days=ahead), weak=word in vocab.WEAK)


def _numeric(ctx: Context, i: int) -> Found | None:
    """2027-01-27 always; otherwise in the user's order: 27/1, 27.1., 27/1/2027 (DMY),
    1/27 (MDY, and YMD without a year), 2027/1/27 (a four-digit year first)."""
    word = ctx.word(i)
    if word is None or word.tag:
        return None
    for text in (word.low.rstrip(",;:!?"), word.core):
        parts = _numeric_parts(text, ctx.date_order)
        if parts is not None:
            year, month, day = parts
            found = _date(ctx, year, month, day)
            return Found(i + 1, found) if found else None
    return None


def _numeric_parts(text: str, order: str) -> tuple[int | None, int, int] | None:
    if iso := vocab.ISO_DATE.fullmatch(text):
        return int(iso[1]), int(iso[2]), int(iso[3])
    found = vocab.SLASH_DATE.fullmatch(text) or vocab.DOT_DATE.fullmatch(text)
    if found is None:
        return None
    first, second, third = found[1], int(found[2]), found[3]
    if len(first) == 4:
        return (int(first), second, int(third)) if third else None
    if len(first) == 3:
        return None
    year = None if third is None else int(third) + (2000 if len(third) == 2 else 0)
    if order == "DMY":
        return year, second, int(first)
    if order == "MDY" or year is None:
        return year, int(first), second
    return None  # YMD with a two-digit first number and a year at the end: unclear


def _named(ctx: Context, i: int) -> Found | None:
    """jan 27, jan 27th 2027, 27 jan, the 27th of january, 27th January 2027."""
    found = month_day_at(ctx, i)
    if found is None:
        return None
    end, month, day = found
    year = vocab.YEAR.fullmatch(ctx.core(end))
    found_date = _date(ctx, int(year[0]) if year else None, month, day)
    if found_date is None:
        return None
    return Found(end + 1 if year else end, found_date)


def month_day_at(ctx: Context, i: int) -> tuple[int, int, int] | None:
    """(end, month, day) for "jan 27", "27 jan", "the 27th of january"; the day must
    exist in some year (30 feb does not)."""
    first = i + 1 if ctx.core(i) == "the" else i
    if first == i and ctx.core(i) in vocab.MONTHS and (day := vocab.DAY.fullmatch(ctx.core(i + 1))):
        month, number, end = vocab.MONTHS[ctx.core(i)], int(day[1]), i + 2
    elif day := vocab.DAY.fullmatch(ctx.core(first)):
        month_at = first + 2 if ctx.core(first + 1) == "of" else first + 1
        if ctx.core(month_at) not in vocab.MONTHS:
            return None
        month, number, end = vocab.MONTHS[ctx.core(month_at)], int(day[1]), month_at + 1
    else:
        return None
    return (end, month, number) if number <= vocab.MONTH_DAYS[month - 1] else None


def _date(ctx: Context, year: int | None, month: int, day: int) -> date | None:
    if not 1 <= month <= 12:
        return None
    if year is None:
        return upcoming(ctx, month, day)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def tonight_time(clock: Clock | None) -> time:
    """ "tonight" alone is 20:00; "tonight at 9" means 21:00, not 09:00."""
    if clock is None:
        return time(20)
    if not clock.meridiem and clock.at.hour < 12:
        return clock.at.replace(hour=clock.at.hour + 12)
    return clock.at
