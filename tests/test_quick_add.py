"""Quick add: one table of inputs against a frozen clock, spans, dismissed chips, date
orders, zones, and properties that hold for any text."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.recurrence import normalize_rrule
from webapp.services.quick_add import ParsedTask, Span, parse

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN)  # a Wednesday
PROJECTS = ["Work", "Home", "Side Project"]


def quick(text: str, **options) -> ParsedTask:
    settings = {"now": NOW, "tz": "Europe/Berlin", "date_order": "DMY", "projects": PROJECTS}
    return parse(text, **(settings | options))


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def dec(day: int) -> date:
    return date(2026, 12, day)


WEEKLY_MO = "FREQ=WEEKLY;BYDAY=MO"
WORKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
MONTH_END_30 = "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"

# (input, title, the fields that differ from an empty ParsedTask)
TABLE = [
    # dates and times at the end
    ("Buy milk tomorrow 5pm", "Buy milk", {"due_at": at(3, 17)}),
    ("Buy milk tomorrow.", "Buy milk", {"due_date": dec(3)}),
    ("Buy milk tmr", "Buy milk", {"due_date": dec(3)}),
    ("Pay bills today", "Pay bills", {"due_date": dec(2)}),
    ("Party tonight", "Party", {"due_at": at(2, 20)}),
    ("Party tonight at 9", "Party", {"due_at": at(2, 21)}),
    ("Report friday", "Report", {"due_date": dec(4)}),
    ("Report wednesday", "Report", {"due_date": dec(2)}),
    ("Dentist next friday", "Dentist", {"due_date": dec(11)}),
    ("Plan next week", "Plan", {"due_date": dec(7)}),
    ("Budget next month", "Budget", {"due_date": date(2027, 1, 1)}),
    ("Hike this weekend", "Hike", {"due_date": dec(5)}),
    ("Invoices end of month", "Invoices", {"due_date": dec(31)}),
    ("Invoices end of the month", "Invoices", {"due_date": dec(31)}),
    ("Follow up in 3 days", "Follow up", {"due_date": dec(5)}),
    ("Review in a week", "Review", {"due_date": dec(9)}),
    ("Review in 2 wks", "Review", {"due_date": dec(16)}),
    ("Renew in 2 months", "Renew", {"due_date": date(2027, 2, 2)}),
    ("Check oven in 30 minutes", "Check oven", {"due_at": at(2, 10, 30)}),
    ("Check oven in 2 hours", "Check oven", {"due_at": at(2, 12)}),
    ("Visa 27/1", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa 5/12", "Visa", {"due_date": dec(5)}),
    ("Visa 27/1/2027", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa 27/1/27", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa 2027-01-27", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa 27.1.", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa 27.1.2027", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa jan 27", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa 27 jan", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa January 27th", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa 27th of January", "Visa", {"due_date": date(2027, 1, 27)}),
    ("Visa jan 27, 2028", "Visa", {"due_date": date(2028, 1, 27)}),
    ("Visa 1/12", "Visa", {"due_date": date(2027, 12, 1)}),  # yearless and past: next year
    ("Party 29 feb", "Party", {"due_date": date(2028, 2, 29)}),
    ("Dinner may 5", "Dinner", {"due_date": date(2027, 5, 5)}),
    ("Call 5:30 pm", "Call", {"due_at": at(2, 17, 30)}),
    ("Call 17:00", "Call", {"due_at": at(2, 17)}),
    ("Call at 9", "Call", {"due_at": at(3, 9)}),  # 09:00 has passed: tomorrow
    ("Call at 9:30", "Call", {"due_at": at(3, 9, 30)}),
    ("Call @5pm", "Call", {"due_at": at(2, 17)}),
    ("Lunch at noon", "Lunch", {"due_at": at(2, 12)}),
    ("Backup at midnight", "Backup", {"due_at": at(3, 0)}),
    ("Call 12am", "Call", {"due_at": at(3, 0)}),
    ("Picnic sat 2pm", "Picnic", {"due_at": at(5, 14)}),
    ("Call mom tom 5pm", "Call mom", {"due_at": at(3, 17)}),
    ("Report 5pm tomorrow", "Report", {"due_at": at(3, 17)}),
    ("Meeting friday tomorrow", "Meeting friday", {"due_date": dec(3)}),
    # in the middle: literal unless on/due/by or a time
    ("Meeting on friday with Bob", "Meeting with Bob", {"due_date": dec(4)}),
    ("Report due by friday", "Report", {"due_date": dec(4)}),
    ("Pay bill due friday", "Pay bill", {"due_date": dec(4)}),
    ("Call mom tomorrow at 5pm about the trip", "Call mom about the trip", {"due_at": at(3, 17)}),
    ("Meet at 5pm tomorrow about x", "Meet about x", {"due_at": at(3, 17)}),
    ("Meeting on friday with Bob at 5pm", "Meeting with Bob", {"due_at": at(4, 17)}),
    ("Tell Bob tomorrow is fine", "Tell Bob tomorrow is fine", {}),
    ("Read The 5th Wave", "Read The 5th Wave", {}),
    ("Create monthly report", "Create monthly report", {}),
    ("Buy sun cream", "Buy sun cream", {}),
    ("Go to the sun", "Go to the sun", {}),
    ("Call Tom", "Call Tom", {}),
    ("todays news", "todays news", {}),
    ("Sundays are for rest", "Sundays are for rest", {}),
    ("Plan the monthly meeting", "Plan the monthly meeting", {}),
    ("You may go", "You may go", {}),
    ("March for rights", "March for rights", {}),
    ("Upgrade to 3.11", "Upgrade to 3.11", {}),
    ("Visa 31/2", "Visa 31/2", {}),
    ("Call 13pm", "Call 13pm", {}),
    ("Wait until friday", "Wait until friday", {}),
    ("Rent a car for 3 days", "Rent a car for 3 days", {}),
    ("Read chapter 9", "Read chapter 9", {}),
    # repeats
    ("Call mom every monday", "Call mom", {"due_date": dec(7), "recurrence": WEEKLY_MO}),
    ("Invoice every 30th", "Invoice", {"due_date": dec(30), "recurrence": MONTH_END_30}),
    (
        "Invoice every 31st",
        "Invoice",
        {"due_date": dec(31), "recurrence": "FREQ=MONTHLY;BYMONTHDAY=-1"},
    ),
    (
        "Backup every last day",
        "Backup",
        {"due_date": dec(31), "recurrence": "FREQ=MONTHLY;BYMONTHDAY=-1"},
    ),
    (
        "Rent every 1st",
        "Rent",
        {"due_date": date(2027, 1, 1), "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1"},
    ),
    (
        "Pay rent every last friday #Home p1",
        "Pay rent",
        {
            "due_date": dec(25),
            "recurrence": "FREQ=MONTHLY;BYDAY=-1FR",
            "project": "Home",
            "priority": "high",
        },
    ),
    (
        "Club every 3rd thursday",
        "Club",
        {"due_date": dec(17), "recurrence": "FREQ=MONTHLY;BYDAY=3TH"},
    ),
    (
        "Club every second tuesday",
        "Club",
        {"due_date": dec(8), "recurrence": "FREQ=MONTHLY;BYDAY=2TU"},
    ),
    (
        "Payroll every last weekday",
        "Payroll",
        {"due_date": dec(31), "recurrence": "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"},
    ),
    ("Gym every weekday", "Gym", {"due_date": dec(2), "recurrence": WORKDAYS}),
    ("Gym every weekend", "Gym", {"due_date": dec(5), "recurrence": "FREQ=WEEKLY;BYDAY=SA"}),
    ("Gym every mon, fri", "Gym", {"due_date": dec(4), "recurrence": "FREQ=WEEKLY;BYDAY=MO,FR"}),
    (
        "Gym every monday and thursday",
        "Gym",
        {"due_date": dec(3), "recurrence": "FREQ=WEEKLY;BYDAY=MO,TH"},
    ),
    (
        "Gym every 2 weeks on mon, fri",
        "Gym",
        {"due_date": dec(4), "recurrence": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"},
    ),
    (
        "Water every other tuesday",
        "Water",
        {"due_date": dec(8), "recurrence": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"},
    ),
    ("Stretch every day", "Stretch", {"due_date": dec(2), "recurrence": "FREQ=DAILY"}),
    (
        "Stretch every 3 days",
        "Stretch",
        {"due_date": dec(2), "recurrence": "FREQ=DAILY;INTERVAL=3"},
    ),
    ("Sync every other week", "Sync", {"due_date": dec(2), "recurrence": "FREQ=WEEKLY;INTERVAL=2"}),
    ("Sync every month", "Sync", {"due_date": dec(2), "recurrence": "FREQ=MONTHLY"}),
    ("Taxes every year", "Taxes", {"due_date": dec(2), "recurrence": "FREQ=YEARLY"}),
    (
        "Rent every month on the 15th",
        "Rent",
        {"due_date": dec(15), "recurrence": "FREQ=MONTHLY;BYMONTHDAY=15"},
    ),
    (
        "Birthday every jan 27",
        "Birthday",
        {"due_date": date(2027, 1, 27), "recurrence": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27"},
    ),
    (
        "Birthday every 27th of january",
        "Birthday",
        {"due_date": date(2027, 1, 27), "recurrence": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27"},
    ),
    (
        "Leap every feb 29",
        "Leap",
        {
            "due_date": date(2027, 2, 28),
            "recurrence": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1",
        },
    ),
    ("Standup every monday 9am", "Standup", {"due_at": at(7, 9), "recurrence": WEEKLY_MO}),
    # 09:30 has passed today, so a repeat that names no day starts tomorrow
    ("Standup every day at 9:30", "Standup", {"due_at": at(3, 9, 30), "recurrence": "FREQ=DAILY"}),
    ("Standup every day 5pm", "Standup", {"due_at": at(2, 17), "recurrence": "FREQ=DAILY"}),
    (
        "Standup every day at 9 in room 4",
        "Standup in room 4",
        {"due_at": at(3, 9), "recurrence": "FREQ=DAILY"},
    ),
    (
        "Stretch every day until 1 mar",
        "Stretch",
        {"due_date": dec(2), "recurrence": "FREQ=DAILY;UNTIL=20270301"},
    ),
    (
        "Pill every day for 5 days",
        "Pill",
        {"due_date": dec(2), "recurrence": "FREQ=DAILY;UNTIL=20261206"},
    ),
    (
        "Call every monday 9am until next month",
        "Call",
        {"due_at": at(7, 9), "recurrence": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270101"},
    ),
    ("Report monthly", "Report", {"due_date": dec(2), "recurrence": "FREQ=MONTHLY"}),
    ("Standup daily 9am", "Standup", {"due_at": at(3, 9), "recurrence": "FREQ=DAILY"}),
    (
        "Water plants every! 3 days",
        "Water plants",
        {"due_date": dec(2), "recurrence": "FREQ=DAILY;INTERVAL=3", "repeat_from": "completion"},
    ),
    (
        "Review every! weekday",
        "Review",
        {"due_date": dec(2), "recurrence": WORKDAYS, "repeat_from": "completion"},
    ),
    ("Meeting every monday with Bob", "Meeting every monday with Bob", {}),
    ("Task every 1000 days", "Task every 1000 days", {}),
    # tags
    ("Fix login bug p1 #Work", "Fix login bug", {"priority": "high", "project": "Work"}),
    ("Fix p2 login #work", "Fix login", {"priority": "medium", "project": "Work"}),
    ("Tidy desk p3", "Tidy desk", {"priority": "low"}),
    ("Tidy desk p4", "Tidy desk", {}),
    ("Fix p5 bug", "Fix p5 bug", {}),
    ("Tidy p1 now p2", "Tidy now p2", {"priority": "high"}),
    ('Plan #"Side Project" launch', "Plan launch", {"project": "Side Project"}),
    ("Move #Work #Home boxes", "Move #Home boxes", {"project": "Work"}),
    ("#Nope task", "#Nope task", {"missing_project": "Nope"}),
    ("#Nope #Home task", "#Nope task", {"project": "Home", "missing_project": "Nope"}),
    ("Fix issue #5", "Fix issue #5", {}),
    ("Learn C# today", "Learn C#", {"due_date": dec(2)}),
    ("Sort @errands", "Sort", {"labels": ("errands",)}),
    ('Sort @Errands @errands @"big list"', "Sort", {"labels": ("Errands", "big list")}),
    ("Ask @bob, then leave", "Ask then leave", {"labels": ("bob",)}),
    # never parsed: addresses, links, quotes
    ("email bob@example.com", "email bob@example.com", {}),
    ("email bob@example.com tomorrow", "email bob@example.com", {"due_date": dec(3)}),
    ("See https://x.y/#Work tomorrow", "See https://x.y/#Work", {"due_date": dec(3)}),
    ("Open www.example.com/@home", "Open www.example.com/@home", {}),
    ('"Buy milk tomorrow"', "Buy milk tomorrow", {}),
    ("“Buy milk tomorrow”", "Buy milk tomorrow", {}),
    ('Read "Next Friday" tomorrow', 'Read "Next Friday"', {"due_date": dec(3)}),
    ('Watch "24/7" p1', 'Watch "24/7"', {"priority": "high"}),
    # a task needs a title: tokens alone are given back
    ("tomorrow", "tomorrow", {}),
    ("every day 9am", "every day 9am", {}),
    ("tomorrow @home", "tomorrow", {"labels": ("home",)}),
    ("@home p1", "@home p1", {}),
    ("", "", {}),
    ("   ", "", {}),
]


@pytest.mark.parametrize(
    ("text", "title", "fields"), TABLE, ids=[row[0] or "empty" for row in TABLE]
)
def test_quick_add_table(text: str, title: str, fields: dict) -> None:
    result = quick(text)
    if fields.get("recurrence") and "repeat_from" not in fields:
        fields = fields | {"repeat_from": "due"}
    expected = ParsedTask(title=title, **fields)
    assert result.__dict__ | {"spans": ()} == expected.__dict__ | {"spans": ()}
    assert_consistent(text, result)


def test_the_table_covers_at_least_fifty_inputs() -> None:
    assert len(TABLE) >= 50


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("Buy milk tomorrow 5pm", [(9, 17, "date"), (18, 21, "time")]),
        ("Buy milk tomorrow.", [(9, 18, "date")]),
        ("Meeting on friday with Bob", [(8, 17, "date")]),
        (
            "Pay rent every last friday #Home p1",
            [(9, 26, "repeat"), (27, 32, "project"), (33, 35, "priority")],
        ),
        ('Plan #"Side Project" launch @"two words"', [(5, 20, "project"), (28, 40, "label")]),
        ("Tidy desk p4", [(10, 12, "priority")]),
        (
            "Call every monday 9am until next month",
            [(5, 17, "repeat"), (18, 21, "time"), (22, 38, "repeat")],
        ),
        ("Read The 5th Wave", []),
    ],
)
def test_spans_are_exact(text: str, spans: list[tuple[int, int, str]]) -> None:
    result = quick(text)
    assert [(span.start, span.end, span.kind) for span in result.spans] == spans
    assert all(span.text == text[span.start : span.end] for span in result.spans)


# --- dismissed chips -------------------------------------------------------------------


def test_a_dismissed_time_stays_literal_and_the_date_still_counts() -> None:
    result = quick("Buy milk tomorrow 5pm", ignore=[(18, 21)])
    assert (result.title, result.due_date, result.due_at) == ("Buy milk 5pm", dec(3), None)


def test_a_dismissed_date_stays_literal() -> None:
    result = quick("Buy milk tomorrow 5pm", ignore=[(9, 17)])
    assert (result.title, result.due_date, result.due_at) == ("Buy milk tomorrow", None, at(2, 17))


def test_dismissed_tags_and_repeats_stay_literal() -> None:
    assert quick("Fix bug p1", ignore=[(8, 10)]) == ParsedTask(title="Fix bug p1")
    assert quick("Report monthly", ignore=[(7, 14)]) == ParsedTask(title="Report monthly")
    result = quick("Sort @errands #Work", ignore=[(5, 13)])
    assert (result.title, result.labels, result.project) == ("Sort @errands", (), "Work")


def test_ignore_entries_that_match_no_token_are_disregarded() -> None:
    stale = [(0, 3), (9, 18), (17, 9), (-1, 5), ("a", "b"), (1,), None]
    assert quick("Buy milk tomorrow 5pm", ignore=stale) == quick("Buy milk tomorrow 5pm")


# --- date orders and zones -------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "text", "due"),
    [
        ("MDY", "Visa 1/27", date(2027, 1, 27)),
        ("MDY", "Visa 1/27/2027", date(2027, 1, 27)),
        ("MDY", "Visa 12/5", dec(5)),
        ("MDY", "Visa 2027-01-27", date(2027, 1, 27)),
        ("MDY", "Visa jan 27", date(2027, 1, 27)),
        ("YMD", "Visa 2027/1/27", date(2027, 1, 27)),
        ("YMD", "Visa 2027-01-27", date(2027, 1, 27)),
        ("YMD", "Visa 12/5", dec(5)),
        ("DMY", "Visa 2027/1/27", date(2027, 1, 27)),
    ],
)
def test_numeric_dates_follow_the_users_date_order(order: str, text: str, due: date) -> None:
    result = quick(text, date_order=order)
    assert (result.title, result.due_date) == ("Visa", due)


@pytest.mark.parametrize(("order", "text"), [("MDY", "Visa 27/1"), ("YMD", "Visa 27/1/2027")])
def test_numeric_dates_that_do_not_fit_the_order_stay_literal(order: str, text: str) -> None:
    assert quick(text, date_order=order) == ParsedTask(title=text)


def test_new_york() -> None:
    now = datetime(2026, 12, 2, 10, 0, tzinfo=NEW_YORK)
    result = quick("Buy milk tomorrow 5pm", now=now, tz=NEW_YORK)
    assert result.due_at == datetime(2026, 12, 3, 17, 0, tzinfo=NEW_YORK)
    assert result.due_at.utcoffset().total_seconds() == -5 * 3600


def test_today_is_the_users_date_not_utcs() -> None:
    late_evening = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 22:00 on 2 Dec in New York
    assert quick("Pay today", now=late_evening, tz="America/New_York").due_date == dec(2)
    assert quick("Pay today", now=late_evening, tz="Europe/Berlin").due_date == dec(3)
    result = quick("Call 9pm", now=late_evening, tz="America/New_York")
    assert result.due_at == datetime(2026, 12, 3, 21, 0, tzinfo=NEW_YORK)  # passed: tomorrow


def test_a_timed_repeat_across_the_spring_change_keeps_its_wall_time() -> None:
    now = datetime(2026, 3, 28, 10, 0, tzinfo=BERLIN)
    result = quick("Standup every day 9am", now=now)
    assert result.due_at == datetime(2026, 3, 29, 9, 0, tzinfo=BERLIN)
    assert result.due_at.utcoffset().total_seconds() == 2 * 3600


def test_a_time_inside_the_spring_gap_moves_forward() -> None:
    now = datetime(2026, 3, 8, 0, 30, tzinfo=NEW_YORK)
    result = quick("Feed cat 2:30am", now=now, tz=NEW_YORK)
    assert result.due_at == datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK)


def test_in_two_hours_is_two_real_hours_across_a_dst_change() -> None:
    now = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    result = quick("Check in 2 hours", now=now)
    # Subtracting two times in one zone gives the wall-clock difference, so use UTC.
    assert (result.due_at.astimezone(UTC) - now.astimezone(UTC)).total_seconds() == 2 * 3600
    assert (result.due_at.hour, result.due_at.minute) == (4, 30)


@pytest.mark.parametrize(
    ("weekday", "today", "saturday"),
    [("Saturday", date(2026, 12, 5), dec(5)), ("Sunday", date(2026, 12, 6), dec(6))],
)
def test_this_weekend_on_a_weekend_is_today(weekday: str, today: date, saturday: date) -> None:
    now = datetime.combine(today, NOW.timetz())
    assert quick("Hike this weekend", now=now).due_date == saturday


def test_next_weekday_on_a_sunday_is_in_the_week_that_starts_tomorrow() -> None:
    sunday = datetime(2026, 12, 6, 10, tzinfo=BERLIN)
    assert quick("Gym next monday", now=sunday).due_date == dec(7)
    assert quick("Gym next week", now=sunday).due_date == dec(7)


def test_a_repeat_whose_time_has_not_passed_starts_today() -> None:
    monday_early = datetime(2026, 12, 7, 8, 0, tzinfo=BERLIN)
    assert quick("Standup every monday 9am", now=monday_early).due_at == at(7, 9)
    monday_late = datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN)
    assert quick("Standup every monday 9am", now=monday_late).due_at == at(14, 9)


def test_every_month_from_the_30th_is_clamped_to_short_months() -> None:
    now = datetime(2027, 1, 30, 10, tzinfo=BERLIN)
    result = quick("Invoice every month", now=now)
    assert (result.due_date, result.recurrence) == (date(2027, 1, 30), MONTH_END_30)


def test_bad_arguments_are_the_callers_mistake() -> None:
    with pytest.raises(ValueError):
        quick("x", now=datetime(2026, 12, 2, 10))
    with pytest.raises(ValueError):
        quick("x", date_order="DDMM")


# --- properties for any text -----------------------------------------------------------

WORDS = (
    "every every! day 3 days week month on by due at @ # p1 p4 p9 tomorrow tom sat sun 5pm 9 "
    "17:00 27/1 1/27 jan 27 27th of the last friday mon, fri and until for a in hours next "
    'this weekend end tonight noon monthly other 3rd weekday #Work #nope @home @"x y" '
    '#"Side Project" " “ ” https://a.b/#c bob@x.io 31/2 2027-01-27 27.1. , . ! \x00 \ud800 🙂'
).split(" ")
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS) | st.text(max_size=5), max_size=20).map(" ".join),
)


def without_spans(text: str, spans: tuple[Span, ...]) -> str:
    pieces, position = [], 0
    for span in spans:
        pieces.append(text[position : span.start])
        position = span.end
    return "".join(pieces) + text[position:]


def collapse(text: str) -> str:
    return " ".join(text.split())


def assert_consistent(text: str, result: ParsedTask) -> None:
    """What holds for every input: spans in order, apart and in bounds; the title is the
    text without them; one kind of due; a canonical rule."""
    position = 0
    for span in result.spans:
        assert isinstance(span, Span) and 0 <= position <= span.start < span.end <= len(text)
        assert span.text == text[span.start : span.end]
        position = span.end
    if result.title != collapse(without_spans(text, result.spans)):
        # Only when the whole input is one quoted phrase, whose quotes go.
        inside = text.strip()
        assert not result.spans and inside[0] in '"“”' and inside[-1] in '"“”'
        assert result.title == collapse(inside[1:-1])
    assert not (result.due_date and result.due_at)
    assert (result.recurrence is None) == (result.repeat_from is None)
    if result.due_at is not None:
        assert result.due_at.tzinfo is not None
    if result.recurrence is not None:
        assert normalize_rrule(result.recurrence) == result.recurrence
        assert result.due_date or result.due_at
    if result.spans:
        assert result.title  # tokens are never taken at the cost of the title
    assert len({label.casefold() for label in result.labels}) == len(result.labels)


@settings(max_examples=400, deadline=None)
@given(text=texts, order=st.sampled_from(["DMY", "MDY", "YMD"]))
def test_any_text_parses_and_the_spans_add_up(text: str, order: str) -> None:
    assert_consistent(text, quick(text, date_order=order))


@settings(max_examples=200, deadline=None)
@given(text=texts, ignore=st.lists(st.tuples(st.integers(-2, 60), st.integers(-2, 60)), max_size=4))
def test_any_dismissed_spans_are_safe(text: str, ignore: list[tuple[int, int]]) -> None:
    assert_consistent(text, quick(text, ignore=ignore))


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        "\ud800 tomorrow",
        "🙂" * 50,
        "!!!???",
        '"' * 101,
        "@" * 500,
        "#" * 500,
        "x" * 10_000,
        ("Buy milk tomorrow 5pm every day #Work @home " * 250)[:10_000],
        '@"' * 100,
        "every " * 100,
    ],
)
def test_hostile_inputs_still_give_a_task(text: str) -> None:
    assert_consistent(text, quick(text))
