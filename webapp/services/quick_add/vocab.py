"""The words quick add knows, in one place, so the grammar can be read as a vocabulary
plus a few small rules. Everything is lower case and matched as a whole word."""

import re

WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
# "every mondays" and "every mon, fri": lists after `every` also take plurals.
REPEAT_WEEKDAYS = WEEKDAYS | {name + "s": day for name, day in WEEKDAYS.items() if len(name) > 5}
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# Short forms that are everyday words too ("buy sun cream", "call Tom", "wed in May"): a
# date only after on/due/by/next/this or beside a time ("sat 10am").
WEAK = frozenset({"wed", "sat", "sun", "tom"})

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
# The longest each month can be (February in a leap year), to refuse 31/4 or 30 feb.
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# "in 3 days", "for 2 wks": unit words by what they count.
UNITS = {
    **dict.fromkeys(("minute", "minutes", "min", "mins"), "minutes"),
    **dict.fromkeys(("hour", "hours", "hr", "hrs"), "hours"),
    **dict.fromkeys(("day", "days"), "days"),
    **dict.fromkeys(("week", "weeks", "wk", "wks"), "weeks"),
    **dict.fromkeys(("month", "months"), "months"),
    **dict.fromkeys(("year", "years", "yr", "yrs"), "years"),
}
DATE_UNITS = ("days", "weeks", "months", "years")
FREQ_OF_UNIT = {"days": "DAILY", "weeks": "WEEKLY", "months": "MONTHLY", "years": "YEARLY"}
# Repeats that are plain English adverbs too ("create monthly report"): end of text only.
ADVERBS = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "yearly": "YEARLY",
    "annually": "YEARLY",
}
ONE = frozenset({"a", "an", "one"})
ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
PRIORITIES = {"p1": "high", "p2": "medium", "p3": "low", "p4": None}
INTRODUCERS = frozenset({"on", "by", "due"})  # "due" may be followed by "on" or "by"
AT = frozenset({"at", "@"})
MERIDIEMS = {"am": 0, "a.m": 0, "pm": 12, "p.m": 12}

NUMBER = re.compile(r"[1-9]\d{0,2}")  # 1..999
ORDINAL = re.compile(r"([1-9]|[12]\d|3[01])(?:st|nd|rd|th)")
DAY = re.compile(r"0?([1-9]|[12]\d|3[01])(?:st|nd|rd|th)?")
YEAR = re.compile(r"[12]\d{3}")
CLOCK = re.compile(r"([01]?\d|2[0-3])(?::([0-5]\d))?(am|pm|a\.m|p\.m)?")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
SLASH_DATE = re.compile(r"(\d{1,4})/(\d{1,2})(?:/(\d{4}|\d{2}))?")
# Dots need the closing dot or a year ("27.1." or "27.1.2027"): "3.11" is a version.
DOT_DATE = re.compile(r"(\d{1,4})\.(\d{1,2})\.(\d{4}|\d{2})?")
