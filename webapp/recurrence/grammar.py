"""The supported RRULE subset as one regular expression: what the JSON API's schema says.

The API takes a rule only as its answers give it (the canonical order FREQ, INTERVAL,
BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS, then COUNT or UNTIL; capitals; no WKST), so that
/openapi.json can say exactly which rules it takes: every text this pattern matches is
accepted, and every accepted rule's canonical text matches it (tests/test_recurrence.py
checks both ways). That is why the pattern also spells the checks beyond syntax: which
parts go with which FREQ, and that BYMONTH and BYMONTHDAY meet on some real day (never
only 30 February). The forms are laxer (any order, small letters, RRULE:) and give the
same rule back in this form.
"""

import re

from webapp.recurrence.rules import MAX_LENGTH


def _any(*choices: str) -> str:
    return "(" + "|".join(choices) + ")"


def _listed(item: str) -> str:
    return f"{item}(,{item})*"


def _containing(item: str, one: str) -> str:
    """A list of `item`s at least one of which is a `one`."""
    return f"({item},)*{one}(,{item})*"


_NUMBER = "[1-9][0-9]{0,2}"  # 1 to 999: INTERVAL and COUNT
_MONTH = _any("[1-9]", "1[0-2]")
_MONTH_31 = _any("1", "3", "5", "7", "8", "10", "12")
_MONTH_NOT_FEBRUARY = _any("1", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
_DAY = "-?" + _any("[1-9]", "[12][0-9]", "3[01]")  # of the month, -1 the last
_DAY_30 = "-?" + _any("[1-9]", "[12][0-9]", "30")
_DAY_29 = "-?" + _any("[1-9]", "[12][0-9]")  # every month has it (February in leap years)
_WEEKDAY = _any("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_IN_MONTH = "-?[1-5]"  # the 1st to 5th (or last to 5th last) weekday of a month
_IN_YEAR = "-?" + _any("[1-9]", "[1-4][0-9]", "5[0-3]")  # of a year, when no BYMONTH

_BYMONTH = f";BYMONTH={_listed(_MONTH)}"
_MONTHS_AND_DAYS = _any(
    _BYMONTH,
    f";BYMONTHDAY={_listed(_DAY)}",
    # Both: some month has one of the days.
    f";BYMONTH={_containing(_MONTH, _MONTH_31)};BYMONTHDAY={_listed(_DAY)}",
    f";BYMONTH={_containing(_MONTH, _MONTH_NOT_FEBRUARY)};BYMONTHDAY={_containing(_DAY, _DAY_30)}",
    f";BYMONTH={_listed(_MONTH)};BYMONTHDAY={_containing(_DAY, _DAY_29)}",
)
_WEEKDAYS = f";BYDAY={_listed(_WEEKDAY)}"


def _numbered(ordinal: str) -> str:
    return f";BYDAY={_listed(ordinal + _WEEKDAY)}"


# Per FREQ, the BY parts it may have, none or some; BYSETPOS picks the first (1) or the
# last (-1) of what they give, so it needs one of them. A numbered weekday counts within
# the month (or the year, for a yearly rule without BYMONTH); a BYDAY is all plain or
# all numbered, and a numbered one never goes with BYMONTHDAY, where it could miss
# every day.
_BY = {
    "DAILY": _any(f"{_MONTHS_AND_DAYS}({_WEEKDAYS})?", _WEEKDAYS),
    "WEEKLY": _any(f"{_BYMONTH}({_WEEKDAYS})?", _WEEKDAYS),
    "MONTHLY": _any(
        f"{_MONTHS_AND_DAYS}({_WEEKDAYS})?", f"({_BYMONTH})?{_numbered(_IN_MONTH)}", _WEEKDAYS
    ),
    "YEARLY": _any(
        f"{_MONTHS_AND_DAYS}({_WEEKDAYS})?",
        f"{_BYMONTH}{_numbered(_IN_MONTH)}",
        _numbered(_IN_YEAR),
        _WEEKDAYS,
    ),
}
_BYSETPOS = f";BYSETPOS={_listed('-?1')}"

# UNTIL: a real day (29 February only in leap years), or a moment in UTC on one.
_YEAR = _any("[1-9][0-9]{3}", "0[1-9][0-9]{2}", "00[1-9][0-9]", "000[1-9]")
_MONTH_DAY = _any(
    "(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])",
    "(0[13-9]|1[0-2])(29|30)",
    "(0[13578]|1[02])31",
)
_LEAP_YEAR = _any("[0-9]{2}(0[48]|[2468][048]|[13579][26])", "(0[48]|[2468][048]|[13579][26])00")
_DATE = _any(_YEAR + _MONTH_DAY, _LEAP_YEAR + "0229")
_UNTIL = f"{_DATE}(T([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]Z)?"
_END = f"(;COUNT={_NUMBER}|;UNTIL={_UNTIL})?"

RRULE_PATTERN = (
    "^"
    + _any(*(f"FREQ={freq}(;INTERVAL={_NUMBER})?({by}({_BYSETPOS})?)?" for freq, by in _BY.items()))
    + _END
    + "$"
)
_MATCHER = re.compile(RRULE_PATTERN)


def in_api_form(text: str) -> bool:
    """Whether `text` is a rule as the API takes it (and as /openapi.json describes it)."""
    return len(text) <= MAX_LENGTH and _MATCHER.fullmatch(text) is not None
