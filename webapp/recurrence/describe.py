"""Short English for a repeat rule, shown beside a task and in the quick-add preview.

It reads the canonical rule back ("every 2 weeks on Mon, Fri", "every month on the last
Friday") so the user can check what was understood without knowing RRULE syntax.
"""

from datetime import date, datetime

from webapp.recurrence.rules import Rule, parse_rule

_DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_WORKDAYS = tuple((0, day) for day in range(5))


def describe(rule: str) -> str:
    """ "every day", "every month on the last Friday", "every year on 27 Jan", "every weekday",
    with " until 1 Mar 2027" or ", 5 times" when the series ends. RecurrenceError for a rule
    outside the subset."""
    parsed = parse_rule(rule)
    return _repeat(parsed) + _ending(parsed)


def _repeat(rule: Rule) -> str:
    plain_days = rule.byday and not (rule.bymonth or rule.bymonthday or rule.bysetpos)
    if plain_days and rule.interval == 1 and rule.freq in ("DAILY", "WEEKLY"):
        if rule.byday == _WORKDAYS:
            return "every weekday"
        if rule.freq == "WEEKLY":
            return f"every {_weekdays(rule.byday)}"
    every = f"every {_UNITS[rule.freq]}"
    if rule.interval != 1:
        every = f"every {rule.interval} {_UNITS[rule.freq]}s"
    single_date = len(rule.bymonth) == 1 and len(rule.bymonthday) == 1
    if single_date and rule.bymonthday[0] > 0 and not (rule.byday or rule.bysetpos):
        return f"{every} on {rule.bymonthday[0]} {_MONTHS[rule.bymonth[0] - 1]}"
    days = _days(rule)
    months = ", ".join(_MONTHS[month - 1] for month in rule.bymonth)
    return every + (f" on {days}" if days else "") + (f" in {months}" if months else "")


def _days(rule: Rule) -> str:
    """The days a rule picks within its period: "Mon, Fri", "the last Friday", "the 15th",
    "Friday the 13th", "the 30th (or last day)"; "" when it names none."""
    if _is_month_end_clamp(rule):
        return f"the {_ordinal(max(rule.bymonthday))} (or last day)"
    pool = " ".join(part for part in (_weekdays(rule.byday), _monthdays(rule.bymonthday)) if part)
    if not rule.bysetpos:
        return pool
    chosen = _listing([_ordinal(position) for position in rule.bysetpos])
    if rule.byday == _WORKDAYS and not rule.bymonthday:
        return f"the {chosen} weekday"
    return f"the {chosen} of {pool}" if pool else f"the {chosen} day"


def _is_month_end_clamp(rule: Rule) -> bool:
    # BYMONTHDAY=28,29,30;BYSETPOS=-1 is "the 30th, or the month's last day when shorter".
    days = rule.bymonthday
    return (
        rule.bysetpos == (-1,)
        and not rule.byday
        and len(days) > 1
        and days == tuple(range(28, days[-1] + 1))
    )


def _weekdays(byday: tuple[tuple[int, int], ...]) -> str:
    if not byday:
        return ""
    if len(byday) == 1 and not byday[0][0]:
        return _DAY_LONG[byday[0][1]]
    if all(not ordinal for ordinal, _ in byday):
        return ", ".join(_DAY_SHORT[day] for _, day in byday)
    return _listing(
        [f"the {_ordinal(n)} {_DAY_LONG[day]}" if n else _DAY_LONG[day] for n, day in byday]
    )


def _monthdays(bymonthday: tuple[int, ...]) -> str:
    if not bymonthday:
        return ""
    if bymonthday == (-1,):
        return "the last day"
    if len(bymonthday) == 1 and bymonthday[0] < 0:
        return f"the {_ordinal(bymonthday[0])} day"
    return "the " + _listing([_ordinal(day) for day in bymonthday])


def _ending(rule: Rule) -> str:
    if rule.count is not None:
        return ", once" if rule.count == 1 else f", {rule.count} times"
    if isinstance(rule.until, datetime):
        return f" until {_date(rule.until.date())}"
    if isinstance(rule.until, date):
        return f" until {_date(rule.until)}"
    return ""


def _date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _ordinal(number: int) -> str:
    """1st, 2nd, 23rd, 11th; -1 is "last" and -2 "2nd to last"."""
    if number == -1:
        return "last"
    if number < 0:
        return f"{_ordinal(-number)} to last"
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
