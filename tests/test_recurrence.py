"""The RRULE subset and its occurrences: DST, month ends, missed and counted repeats."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.recurrence import (
    RecurrenceError,
    describe,
    first_occurrence,
    local_datetime,
    next_due,
    normalize_rrule,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [BERLIN, NEW_YORK]


def walk(rule: str, due, tz, times: int, *, repeat_from: str = "due") -> list:
    """`times` successive dues, completing each one on time."""
    dues = [due]
    for _ in range(times - 1):
        done = due if isinstance(due, datetime) else datetime.combine(due, time(12), tz)
        due, rule = next_due(rule, due=due, tz=tz, repeat_from=repeat_from, completed_at=done)
        dues.append(due)
    return dues


# --- normalize_rrule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("freq=weekly;byday=fr,mo", "FREQ=WEEKLY;BYDAY=MO,FR"),
        ("BYDAY=MO;FREQ=WEEKLY;INTERVAL=1;WKST=MO", "FREQ=WEEKLY;BYDAY=MO"),
        ("RRULE:FREQ=DAILY;INTERVAL=2;", "FREQ=DAILY;INTERVAL=2"),
        (
            "FREQ=MONTHLY;BYSETPOS=-1;BYMONTHDAY=30,29,28",
            "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1",
        ),
        ("FREQ=YEARLY;BYMONTHDAY=27;BYMONTH=1", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27"),
        ("FREQ=MONTHLY;BYDAY=+3TH", "FREQ=MONTHLY;BYDAY=3TH"),
        ("FREQ=DAILY;UNTIL=20270301", "FREQ=DAILY;UNTIL=20270301"),
        ("FREQ=DAILY;UNTIL=20270301T170000Z", "FREQ=DAILY;UNTIL=20270301T170000Z"),
        ("FREQ=DAILY;COUNT=5", "FREQ=DAILY;COUNT=5"),
        ("FREQ=YEARLY;BYDAY=20MO", "FREQ=YEARLY;BYDAY=20MO"),
        ("  FREQ=DAILY  ", "FREQ=DAILY"),
    ],
)
def test_rules_are_written_back_canonically(text: str, canonical: str) -> None:
    assert normalize_rrule(text) == canonical
    assert normalize_rrule(canonical) == canonical


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("FREQ=HOURLY", "not HOURLY"),
        ("FREQ=SECONDLY", "not SECONDLY"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"),
        ("FREQ=DAILY;BYWEEKNO=3", "BYWEEKNO is not supported"),
        ("DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY", "Leave out DTSTART"),
        ("garbage", "is not KEY=VALUE"),
        ("INTERVAL=2", "needs FREQ"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "COUNT or UNTIL, not both"),
        ("FREQ=DAILY;INTERVAL=1000", "INTERVAL must be a whole number from 1 to 999"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY values"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY values"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH values"),
        ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH values"),
        ("FREQ=MONTHLY;BYDAY=6FR", "from 1 to 5"),
        ("FREQ=MONTHLY;BYDAY=MO,1TU", "not both"),
        ("FREQ=WEEKLY;BYDAY=1MO", "needs FREQ=MONTHLY or YEARLY"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY takes weekdays"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "cannot be used with FREQ=WEEKLY"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS needs"),
        ("FREQ=DAILY;UNTIL=2027-03-01", "UNTIL must be a date"),
        ("FREQ=DAILY;UNTIL=20270230", "UNTIL must be a date"),
        ("FREQ=DAILY;UNTIL=20270301T170000", "UNTIL must be a date"),
        ("FREQ=WEEKLY;WKST=SU", "WKST can only be MO"),
        ("FREQ=DAILY;FREQ=WEEKLY", "appears twice"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never lands on a date"),
        ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2", "BYSETPOS can be 1 or -1"),
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=2MO", "cannot go with BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=4,6;BYMONTHDAY=31,-31", "never lands on a date"),
        ("FREQ=DAILY\x00", "letters, digits"),
        ("FREQ=DA\u0131LY", "letters, digits"),  # a dotless i, which upper() makes an I
        ("FREQ=DAILY;\ud800", "letters, digits"),
        ("FREQ=DAILY;BYDAY=MO 🙂", "letters, digits"),
        ("FREQ=DAILY;" + "BYMONTH=1;" * 20, "at most 200 characters"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_rules_outside_the_subset_are_refused_with_a_sentence(text: str, says: str) -> None:
    with pytest.raises(RecurrenceError) as raised:
        normalize_rrule(text)
    message = str(raised.value)
    assert says in message
    assert message.endswith(".") and message[0].isupper()
    assert message.isprintable() and len(message) < 160


def test_a_rule_must_be_text() -> None:
    with pytest.raises(RecurrenceError):
        normalize_rrule(None)  # type: ignore[arg-type]


@given(st.text(max_size=60))
def test_any_text_is_either_a_canonical_rule_or_a_recurrence_error(text: str) -> None:
    try:
        canonical = normalize_rrule(text)
    except RecurrenceError:
        return
    assert normalize_rrule(canonical) == canonical


# --- wall-clock time across DST --------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "first"),
    [(BERLIN, date(2026, 3, 28)), (NEW_YORK, date(2026, 3, 7))],
)
def test_nine_oclock_stays_nine_oclock_across_the_spring_change(tz: ZoneInfo, first: date) -> None:
    start = datetime.combine(first, time(9), tz)
    dues = walk("FREQ=DAILY", first_occurrence("FREQ=DAILY", start=start, tz=tz), tz, 3)
    assert [due.date() for due in dues] == [first + timedelta(days=n) for n in range(3)]
    assert all(due.time() == time(9) for due in dues)
    assert dues[0].utcoffset() != dues[2].utcoffset()  # the change happened in between


def test_nine_oclock_stays_nine_oclock_across_the_autumn_change() -> None:
    dues = walk("FREQ=DAILY", datetime(2026, 10, 24, 9, tzinfo=BERLIN), BERLIN, 3)
    assert [(due.day, due.hour) for due in dues] == [(24, 9), (25, 9), (26, 9)]


@pytest.mark.parametrize(("tz", "day"), [(BERLIN, date(2026, 3, 29)), (NEW_YORK, date(2026, 3, 8))])
def test_a_time_that_does_not_exist_moves_forward_by_the_gap(tz: ZoneInfo, day: date) -> None:
    moved = local_datetime(day, time(2, 30), tz)
    assert (moved.date(), moved.time()) == (day, time(3, 30))
    start = datetime.combine(day - timedelta(days=1), time(2, 30), tz)
    due, _ = next_due("FREQ=DAILY", due=start, tz=tz, repeat_from="due", completed_at=start)
    assert (due.date(), due.time()) == (day, time(3, 30))


@pytest.mark.parametrize(
    ("tz", "day", "offset"),
    [
        (BERLIN, date(2026, 10, 25), timedelta(hours=2)),
        (NEW_YORK, date(2026, 11, 1), -timedelta(hours=4)),
    ],
)
def test_a_time_that_happens_twice_is_the_first(tz: ZoneInfo, day: date, offset: timedelta) -> None:
    hour = 2 if tz is BERLIN else 1
    assert local_datetime(day, time(hour, 30), tz).utcoffset() == offset


# --- month ends ------------------------------------------------------------------------


def test_every_30th_is_the_last_day_of_february_and_never_early_march() -> None:
    rule = "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"
    assert first_occurrence(rule, start=date(2027, 2, 1), tz=BERLIN) == date(2027, 2, 28)
    assert first_occurrence(rule, start=date(2028, 2, 1), tz=BERLIN) == date(2028, 2, 29)
    dues = walk(rule, date(2027, 1, 30), BERLIN, 26)
    assert date(2027, 2, 28) in dues and date(2028, 2, 29) in dues
    assert all(due.day == 30 or (due + timedelta(days=1)).day == 1 for due in dues)
    assert all(due.month != 3 or due.day == 30 for due in dues)


@pytest.mark.parametrize(
    "rule", ["FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"]
)
def test_every_31st_and_every_last_day_are_each_months_last_day(rule: str) -> None:
    dues = walk(rule, first_occurrence(rule, start=date(2027, 1, 1), tz=NEW_YORK), NEW_YORK, 5)
    assert dues == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]


def test_a_plain_monthly_rule_keeps_its_day_and_skips_short_months_as_the_rfc_says() -> None:
    assert walk("FREQ=MONTHLY", date(2027, 1, 31), BERLIN, 3) == [
        date(2027, 1, 31),
        date(2027, 3, 31),
        date(2027, 5, 31),
    ]


def test_february_29th_yearly_clamps_to_the_28th() -> None:
    rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"
    assert walk(rule, date(2028, 2, 29), BERLIN, 3) == [
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
    ]


# --- first occurrence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "start", "first"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", date(2026, 12, 2), date(2026, 12, 7)),
        ("FREQ=WEEKLY;BYDAY=WE", date(2026, 12, 2), date(2026, 12, 2)),
        ("FREQ=MONTHLY;BYDAY=-1FR", date(2026, 12, 2), date(2026, 12, 25)),
        ("FREQ=MONTHLY;BYDAY=-1FR", date(2026, 12, 26), date(2027, 1, 29)),
        ("FREQ=MONTHLY;BYDAY=3TH", date(2026, 12, 2), date(2026, 12, 17)),
        ("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27", date(2026, 12, 2), date(2027, 1, 27)),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", date(2026, 12, 5), date(2026, 12, 7)),
        ("FREQ=DAILY;UNTIL=20261201", date(2026, 12, 2), None),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", date(2026, 12, 7), None),  # never in step
    ],
)
def test_first_occurrence_of_a_date_task(rule: str, start: date, first: date | None) -> None:
    assert first_occurrence(rule, start=start, tz=BERLIN) == first


def test_first_occurrence_of_a_timed_task_is_at_or_after_the_start() -> None:
    start = datetime(2026, 12, 2, 9, 0, tzinfo=NEW_YORK)
    assert first_occurrence("FREQ=WEEKLY;BYDAY=WE", start=start, tz=NEW_YORK) == start
    found = first_occurrence("FREQ=WEEKLY;BYDAY=FR", start=start.astimezone(UTC), tz=NEW_YORK)
    assert found == datetime(2026, 12, 4, 9, 0, tzinfo=NEW_YORK)
    assert found.tzinfo == NEW_YORK


def test_moments_must_be_aware() -> None:
    with pytest.raises(ValueError):
        first_occurrence("FREQ=DAILY", start=datetime(2026, 12, 2, 9), tz=BERLIN)


# --- completing a repeating task -------------------------------------------------------


def test_repeat_from_due_skips_missed_occurrences_to_the_day_after_today() -> None:
    # Completing today counts for today, so the next one is tomorrow, not today.
    today_noon = datetime(2026, 12, 2, 12, tzinfo=BERLIN)
    assert next_due(
        "FREQ=DAILY", due=date(2026, 11, 27), tz=BERLIN, repeat_from="due", completed_at=today_noon
    ) == (date(2026, 12, 3), "FREQ=DAILY")
    assert next_due(
        "FREQ=WEEKLY;BYDAY=MO",
        due=date(2026, 11, 9),
        tz=BERLIN,
        repeat_from="due",
        completed_at=today_noon,
    ) == (date(2026, 12, 7), "FREQ=WEEKLY;BYDAY=MO")


def test_repeat_from_due_completed_early_goes_to_the_occurrence_after_the_due() -> None:
    result = next_due(
        "FREQ=WEEKLY;INTERVAL=2",
        due=date(2026, 12, 9),
        tz=BERLIN,
        repeat_from="due",
        completed_at=datetime(2026, 12, 2, 12, tzinfo=BERLIN),
    )
    assert result == (date(2026, 12, 23), "FREQ=WEEKLY;INTERVAL=2")


@pytest.mark.parametrize(("hour", "next_day"), [(8, 2), (10, 3)])
def test_repeat_from_due_for_a_timed_task_goes_past_now(hour: int, next_day: int) -> None:
    due = datetime(2026, 11, 27, 9, tzinfo=NEW_YORK)
    now = datetime(2026, 12, 2, hour, tzinfo=NEW_YORK)
    new_due, _ = next_due("FREQ=DAILY", due=due, tz=NEW_YORK, repeat_from="due", completed_at=now)
    assert new_due == datetime(2026, 12, next_day, 9, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("tz", "completed_utc", "expected"),
    [
        # 23:30 on the 10th in New York is already the 11th in UTC.
        (NEW_YORK, datetime(2026, 12, 11, 4, 30, tzinfo=UTC), date(2026, 12, 13)),
        # 00:30 on the 11th in Berlin is still the 10th in UTC.
        (BERLIN, datetime(2026, 12, 10, 23, 30, tzinfo=UTC), date(2026, 12, 14)),
    ],
)
def test_repeat_from_completion_counts_from_the_users_local_date(
    tz, completed_utc, expected
) -> None:
    result = next_due(
        "FREQ=DAILY;INTERVAL=3",
        due=date(2026, 12, 1),
        tz=tz,
        repeat_from="completion",
        completed_at=completed_utc,
    )
    assert result == (expected, "FREQ=DAILY;INTERVAL=3")


def test_repeat_from_completion_keeps_the_time_of_day_not_the_click_time() -> None:
    due = datetime(2026, 12, 5, 9, 0, tzinfo=BERLIN)
    clicked = datetime(2026, 12, 10, 21, 47, tzinfo=BERLIN)
    new_due, _ = next_due(
        "FREQ=DAILY;INTERVAL=3", due=due, tz=BERLIN, repeat_from="completion", completed_at=clicked
    )
    assert new_due == datetime(2026, 12, 13, 9, 0, tzinfo=BERLIN)


def test_repeat_from_completion_on_a_weekday_rule_goes_to_the_next_such_day() -> None:
    result = next_due(
        "FREQ=WEEKLY;BYDAY=MO",
        due=date(2026, 11, 23),
        tz=BERLIN,
        repeat_from="completion",
        completed_at=datetime(2026, 12, 7, 8, tzinfo=BERLIN),  # a Monday
    )
    assert result == (date(2026, 12, 14), "FREQ=WEEKLY;BYDAY=MO")


def test_count_goes_down_by_one_per_completion_and_then_ends() -> None:
    rule, due = "FREQ=DAILY;COUNT=3", date(2026, 12, 2)
    done = datetime(2026, 12, 1, 12, tzinfo=BERLIN)
    due, rule = next_due(rule, due=due, tz=BERLIN, repeat_from="due", completed_at=done)
    assert (due, rule) == (date(2026, 12, 3), "FREQ=DAILY;COUNT=2")
    due, rule = next_due(rule, due=due, tz=BERLIN, repeat_from="due", completed_at=done)
    assert (due, rule) == (date(2026, 12, 4), "FREQ=DAILY;COUNT=1")
    assert next_due(rule, due=due, tz=BERLIN, repeat_from="due", completed_at=done) is None
    assert next_due(rule, due=due, tz=BERLIN, repeat_from="completion", completed_at=done) is None


def test_skipped_occurrences_use_up_count_since_they_belong_to_the_series() -> None:
    done = datetime(2026, 12, 2, 12, tzinfo=BERLIN)
    # The series is 29 Nov .. 3 Dec; 30 Nov .. 2 Dec are past, so 3 Dec is its last date.
    assert next_due(
        "FREQ=DAILY;COUNT=5",
        due=date(2026, 11, 29),
        tz=BERLIN,
        repeat_from="due",
        completed_at=done,
    ) == (date(2026, 12, 3), "FREQ=DAILY;COUNT=1")
    assert (
        next_due(
            "FREQ=DAILY;COUNT=4",
            due=date(2026, 11, 29),
            tz=BERLIN,
            repeat_from="due",
            completed_at=done,
        )
        is None
    )


def test_count_goes_down_by_one_when_repeating_from_completion() -> None:
    result = next_due(
        "FREQ=DAILY;COUNT=4",
        due=date(2026, 11, 1),
        tz=BERLIN,
        repeat_from="completion",
        completed_at=datetime(2026, 12, 2, 12, tzinfo=BERLIN),
    )
    assert result == (date(2026, 12, 3), "FREQ=DAILY;COUNT=3")


@pytest.mark.parametrize("tz", ZONES)
def test_until_ends_the_series_after_its_day(tz: ZoneInfo) -> None:
    rule = "FREQ=DAILY;UNTIL=20261205"
    done = datetime(2026, 12, 1, tzinfo=tz)
    assert next_due(rule, due=date(2026, 12, 4), tz=tz, repeat_from="due", completed_at=done) == (
        date(2026, 12, 5),
        rule,
    )
    assert (
        next_due(rule, due=date(2026, 12, 5), tz=tz, repeat_from="due", completed_at=done) is None
    )
    timed = datetime(2026, 12, 4, 23, 0, tzinfo=tz)
    assert next_due(rule, due=timed, tz=tz, repeat_from="due", completed_at=timed)[0].day == 5


def test_a_utc_until_is_a_moment() -> None:
    rule = "FREQ=DAILY;UNTIL=20261205T080000Z"  # 09:00 in Berlin
    due = datetime(2026, 12, 4, 9, 0, tzinfo=BERLIN)
    assert next_due(rule, due=due, tz=BERLIN, repeat_from="due", completed_at=due)[0].day == 5
    later = datetime(2026, 12, 4, 9, 30, tzinfo=BERLIN)
    assert next_due(rule, due=later, tz=BERLIN, repeat_from="due", completed_at=later) is None


def test_a_task_due_long_ago_is_still_quick_to_roll_forward() -> None:
    done = datetime(2026, 12, 2, 12, tzinfo=NEW_YORK)
    for rule in ("FREQ=DAILY", "FREQ=WEEKLY;INTERVAL=3", "FREQ=MONTHLY", "FREQ=YEARLY"):
        new_due, _ = next_due(
            rule, due=date(1, 1, 1), tz=NEW_YORK, repeat_from="due", completed_at=done
        )
        assert new_due > date(2026, 12, 2)
        assert first_occurrence(rule, start=date(1, 1, 1), tz=NEW_YORK) == date(1, 1, 1)
    assert (
        next_due(
            "FREQ=WEEKLY;INTERVAL=3",
            due=date(1, 1, 1),
            tz=NEW_YORK,
            repeat_from="due",
            completed_at=done,
        )[0].weekday()
        == date(1, 1, 1).weekday()
    )


def test_the_end_of_the_calendar_ends_the_series() -> None:
    done = datetime(2026, 12, 2, 12, tzinfo=NEW_YORK)
    assert (
        next_due(
            "FREQ=DAILY", due=date(9999, 12, 31), tz=NEW_YORK, repeat_from="due", completed_at=done
        )
        is None
    )


def test_repeat_from_must_be_due_or_completion() -> None:
    with pytest.raises(ValueError):
        next_due(
            "FREQ=DAILY",
            due=date(2026, 12, 2),
            tz=BERLIN,
            repeat_from="later",  # type: ignore[arg-type]
            completed_at=datetime(2026, 12, 2, tzinfo=BERLIN),
        )


# --- describe --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("FREQ=DAILY", "every day"),
        ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
        ("FREQ=WEEKLY", "every week"),
        ("FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"),
        ("FREQ=WEEKLY;BYDAY=MO", "every Monday"),
        ("FREQ=WEEKLY;BYDAY=MO,FR", "every Mon, Fri"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", "every 2 weeks on Mon, Fri"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
        ("FREQ=MONTHLY", "every month"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Friday"),
        ("FREQ=MONTHLY;BYDAY=3TH", "every month on the 3rd Thursday"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "every month on the 1st"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day"),
        ("FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1", "every month on the 30th (or last day)"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "every month on the last weekday"),
        ("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "every month on Friday the 13th"),
        ("FREQ=YEARLY", "every year"),
        ("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27", "every year on 27 Jan"),
        ("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", "every year on the 4th Thursday in Nov"),
        ("FREQ=DAILY;UNTIL=20270301", "every day until 1 Mar 2027"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=5", "every Tuesday, 5 times"),
        ("FREQ=DAILY;COUNT=1", "every day, once"),
        ("FREQ=MONTHLY;BYMONTHDAY=11,12,13", "every month on the 11th, 12th and 13th"),
    ],
)
def test_describe(rule: str, text: str) -> None:
    assert describe(rule) == text
