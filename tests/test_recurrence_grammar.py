"""The API's RRULE pattern says exactly which rules are taken: both ways, by generation.

Every text the pattern matches is a rule normalize_rrule takes (it lands on some day),
and every rule it takes, however written, comes back in a form the pattern matches; so
/openapi.json's pattern neither promises a rule that is refused nor hides one that is not.
"""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.recurrence import RecurrenceError, normalize_rrule
from webapp.recurrence.grammar import RRULE_PATTERN, in_api_form
from webapp.recurrence.rules import MAX_LENGTH

MATCHER = re.compile(RRULE_PATTERN)


@settings(max_examples=1500, deadline=None)
@given(st.from_regex(MATCHER, fullmatch=True).filter(lambda text: len(text) <= MAX_LENGTH))
def test_every_rule_the_pattern_matches_is_taken_as_it_is(text: str) -> None:
    canonical = normalize_rrule(text)
    assert in_api_form(canonical)
    assert normalize_rrule(canonical) == canonical


def _values(*choices: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(choices), min_size=1, max_size=4).map(",".join)


_DAYS = [str(n) for n in range(-32, 33)]
_WEEKDAYS = [
    f"{n}{day}" for n in ("", "1", "-1", "2", "5", "-5", "20", "53") for day in "MO FR SU".split()
]
PARTS = {
    "INTERVAL": st.sampled_from(["1", "2", "999", "1000"]),
    "BYMONTH": _values(*(str(n) for n in range(0, 14))),
    "BYMONTHDAY": _values(*_DAYS),
    "BYDAY": _values(*_WEEKDAYS),
    "BYSETPOS": _values("1", "-1", "2", "-3", "366"),
    "COUNT": st.sampled_from(["1", "5", "999"]),
    "UNTIL": st.sampled_from(["20270301", "20280229", "20270229", "20270301T170000Z"]),
    "WKST": st.just("MO"),
}


@st.composite
def written_rules(draw: st.DrawFn) -> str:
    """Rules as people write them: parts in any order and case, the ones that make sense
    and the ones that do not (normalize_rrule sorts them out)."""
    keys = draw(st.lists(st.sampled_from(sorted(PARTS)), unique=True, max_size=5))
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']))}"]
    parts += [f"{key}={draw(PARTS[key])}" for key in keys]
    text = ";".join(draw(st.permutations(parts)))
    return text.lower() if draw(st.booleans()) else text


@settings(max_examples=3000, deadline=None)
@given(written_rules())
def test_every_rule_taken_comes_back_in_the_form_the_pattern_matches(text: str) -> None:
    try:
        canonical = normalize_rrule(text)
    except RecurrenceError:
        return
    assert in_api_form(canonical), (text, canonical)
