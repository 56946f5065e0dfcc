"""Repeating tasks: the supported RRULE subset and the dates it gives. Pure (no database,
no clock), so the schemas validate a rule with it and the services compute dates with it.

A task repeats by an RFC 5545 RRULE without DTSTART (`FREQ=MONTHLY;BYDAY=-1FR`) plus a
`repeat_from` of "due" or "completion", which RRULE cannot express. Everything here is
pure: no database, no clock (callers pass the moment of completion).

    normalize_rrule(text) -> canonical rule, or RecurrenceError(sentence for the user)
    first_occurrence(rule, start=..., tz=...) -> first due on/after start
    next_due(rule, due=..., tz=..., repeat_from=..., completed_at=...) -> (due, rule) | None
    describe(rule) -> "every month on the last Friday"
"""

from webapp.recurrence.describe import describe
from webapp.recurrence.occurrences import (
    Due,
    RepeatFrom,
    as_zone,
    first_occurrence,
    local_datetime,
    next_due,
    normalize_rrule,
)
from webapp.recurrence.rules import RecurrenceError, Rule, parse_rule

__all__ = [
    "Due",
    "RecurrenceError",
    "RepeatFrom",
    "Rule",
    "as_zone",
    "describe",
    "first_occurrence",
    "local_datetime",
    "next_due",
    "normalize_rrule",
    "parse_rule",
]
