"""Due dates and repeats in the services: quick add for a user in their zone, repeating
tasks moving on when completed (and back on undo), Today and Upcoming in the user's zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models import User
from webapp.schemas import TaskCreate
from webapp.schemas.task import TaskUpdate
from webapp.services import task_repeat
from webapp.services.due_dates import Clock, DueRange, day_name, due_text
from webapp.services.quick_add_service import read_quick
from webapp.services.task_service import TaskFilter, TaskService
from webapp.services.user_service import UserService

BERLIN = Clock("Europe/Berlin")


async def _quick_task(session: AsyncSession, user: User, text: str, clock: Clock, **kw):  # noqa: ANN202
    quick = await read_quick(session, user.id, text, clock=clock, **kw)
    data = TaskCreate.model_validate(quick.fields())
    return await TaskService(session).create_task(user.id, data, clock=clock)


async def test_quick_add_buy_milk_tomorrow_5pm_in_the_users_zone(
    session: AsyncSession, user: User
) -> None:
    task = await _quick_task(session, user, "Buy milk tomorrow 5pm", BERLIN)
    tomorrow = BERLIN.today() + timedelta(days=1)
    assert task.title == "Buy milk"
    assert task.due_date is None
    local = task.due_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.date(), local.time()) == (tomorrow, time(17, 0))


async def test_quick_add_project_labels_priority(session: AsyncSession, user: User) -> None:
    from webapp.services.project_service import ProjectService

    home = await ProjectService(session).create_project(user.id, "Home")
    task = await _quick_task(session, user, "Fix tap #home @plumbing p1 #Nowhere", Clock())
    assert task.project_id == home.id
    assert task.labels == ["plumbing"]
    assert task.priority == "high"
    assert task.title == "Fix tap #Nowhere"


async def _invoice(session: AsyncSession, user: User, due: date):  # noqa: ANN202
    data = TaskCreate(
        title="Invoice", due_date=due, recurrence="FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"
    )
    return await TaskService(session).create_task(user.id, data)


async def test_completing_every_30th_moves_to_next_months_and_undo_restores(
    session: AsyncSession, user: User
) -> None:
    service = TaskService(session)
    today = Clock().today()
    # Due on the 30th of a past month: the next due is the first month-end slot after today.
    quick = await read_quick(session, user.id, "Invoice every 30th", clock=Clock())
    assert quick.parsed.recurrence is not None
    task = await service.create_task(user.id, TaskCreate.model_validate(quick.fields()))
    first = task.due_date
    assert first >= today
    toggled = await service.complete(user.id, task.id, True)
    assert toggled.repeated and toggled.undo_id
    moved = toggled.task
    assert not moved.completed
    assert moved.due_date > first
    assert moved.due_date.day == min(30, _month_days(moved.due_date))
    logged = await task_repeat.completions(session, user.id, task.id)
    assert [row.due_date for row in logged] == [first]
    undone = await service.undo(user.id, toggled.undo_id)
    assert undone is not None and undone.tasks[0].due_date == first
    assert await task_repeat.completions(session, user.id, task.id) == []


def _month_days(day: date) -> int:
    nxt = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return (nxt - timedelta(days=1)).day


async def test_every_30th_gives_february_its_last_day(session: AsyncSession, user: User) -> None:
    task = await _invoice(session, user, date(2027, 1, 30))
    moved = await task_repeat.advance(session, user.id, task, Clock())
    assert moved[0].due_date == date(2027, 2, 28)
    leap = await _invoice(session, user, date(2028, 1, 30))
    assert (await task_repeat.advance(session, user.id, leap, Clock()))[0].due_date == date(
        2028, 2, 29
    )


async def test_repeat_from_completion_counts_from_today(session: AsyncSession, user: User) -> None:
    service = TaskService(session)
    data = TaskCreate(
        title="Water plants",
        due_date=date(2020, 1, 1),
        recurrence="FREQ=DAILY;INTERVAL=3",
        repeat_from="completion",
    )
    task = await service.create_task(user.id, data)
    moved = (await service.complete(user.id, task.id, True, clock=BERLIN)).task
    assert moved.due_date == BERLIN.today() + timedelta(days=3)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
async def test_nine_stays_nine_across_dst(session: AsyncSession, user: User, zone: str) -> None:
    tz = ZoneInfo(zone)
    # The Saturday before each zone's spring change (Berlin 29 Mar, New York 8 Mar 2026).
    saturday = date(2026, 3, 28) if zone == "Europe/Berlin" else date(2026, 3, 7)
    due = datetime.combine(saturday, time(9), tz)
    data = TaskCreate(title="Stand-up", due_at=due, recurrence="FREQ=DAILY")
    task = await TaskService(session).create_task(user.id, data)
    # Completed on time (the Saturday, 9:30): the next is Sunday 9:00, after the change.
    from unittest.mock import patch

    with patch("webapp.services.task_repeat.utcnow", return_value=due + timedelta(minutes=30)):
        moved, _ = await task_repeat.advance(session, user.id, task, Clock(zone))
    local = moved.due_at.astimezone(tz)
    assert local.date() == saturday + timedelta(days=1) and local.time() == time(9)
    assert local.utcoffset() != due.utcoffset()


async def test_today_and_upcoming_in_a_non_utc_zone(session: AsyncSession, user: User) -> None:
    clock = Clock("Pacific/Auckland")
    service = TaskService(session)
    today = clock.today()
    made = {}
    for name, due in {
        "overdue": today - timedelta(days=2),
        "today": today,
        "in 5 days": today + timedelta(days=5),
        "in 20 days": today + timedelta(days=20),
    }.items():
        made[name] = await service.create_task(user.id, TaskCreate(title=name, due_date=due))
    # Timed: 23:30 tonight in Auckland is "today" there, whatever UTC's date is.
    late = datetime.combine(today, time(23, 30), ZoneInfo("Pacific/Auckland"))
    await service.create_task(user.id, TaskCreate(title="late tonight", due_at=late))
    early = datetime.combine(today + timedelta(days=1), time(0, 30), ZoneInfo("Pacific/Auckland"))
    await service.create_task(user.id, TaskCreate(title="just after midnight", due_at=early))
    await service.create_task(user.id, TaskCreate(title="undated"))
    other = await UserService(session).create_user("bob@example.com", "another long password")
    await service.create_task(other.id, TaskCreate(title="bob's", due_date=today))

    def titles(page):  # noqa: ANN001, ANN202
        return [t.title for t in page.tasks]

    page = await service.list_tasks(user.id, TaskFilter(due=DueRange.today(clock)))
    assert sorted(titles(page)) == ["late tonight", "overdue", "today"]
    page = await service.list_tasks(user.id, TaskFilter(due=DueRange.upcoming(clock)))
    assert sorted(titles(page)) == ["in 5 days", "just after midnight", "late tonight", "today"]


async def test_sort_by_due_pages_with_a_cursor(session: AsyncSession, user: User) -> None:
    from webapp.services.task_query import Sort, decode_cursor

    service = TaskService(session)
    base = date(2030, 1, 1)
    for i in (3, 1, 2):
        await service.create_task(user.id, TaskCreate(title=f"d{i}", due_date=base + timedelta(i)))
    await service.create_task(user.id, TaskCreate(title="none"))
    at = datetime(2030, 1, 2, 12, tzinfo=UTC)
    await service.create_task(user.id, TaskCreate(title="t", due_at=at))
    seen, after = [], None
    while True:
        page = await service.list_tasks(user.id, sort=Sort.due, after=after, limit=2)
        seen += [t.title for t in page.tasks]
        if not page.next_cursor:
            break
        after = decode_cursor(page.next_cursor, Sort.due)
    assert seen == ["d1", "t", "d2", "d3", "none"]


def test_day_names() -> None:
    today = date(2026, 12, 7)  # a Monday
    assert day_name(today, today, "DMY") == "Today"
    assert day_name(date(2026, 12, 8), today, "DMY") == "Tomorrow"
    assert day_name(date(2026, 12, 11), today, "DMY") == "Friday"
    assert day_name(date(2026, 12, 20), today, "DMY") == "20 Dec"
    assert day_name(date(2026, 12, 20), today, "MDY") == "Dec 20"
    assert day_name(date(2027, 1, 20), today, "YMD") == "2027-01-20"


def test_due_text_in_zone() -> None:
    class T:
        due_date = None
        due_at = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
        completed = False

    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert due_text(T(), BERLIN, now) == "Today 17:00"


async def test_mark_all_complete_moves_repeating_tasks_on_and_one_undo_restores_all(
    session: AsyncSession, user: User
) -> None:
    """What ticking each would do: "Gym" (daily) moves to tomorrow with its completion
    logged, "Post letter" is done; a finished series ("Last lesson") is done too."""
    service = TaskService(session)
    today = BERLIN.today()
    gym = await service.create_task(
        user.id, TaskCreate(title="Gym", due_date=today, recurrence="FREQ=DAILY"), clock=BERLIN
    )
    letter = await service.create_task(user.id, TaskCreate(title="Post letter"), clock=BERLIN)
    last = await service.create_task(
        user.id,
        TaskCreate(title="Last lesson", due_date=today, recurrence="FREQ=WEEKLY;COUNT=1"),
        clock=BERLIN,
    )
    changed = await service.complete_matching(user.id, TaskFilter(), BERLIN)
    assert (changed.count, changed.repeated) == (3, 2)
    after = {task.title: task for task in (await service.list_tasks(user.id, TaskFilter())).tasks}
    assert not after["Gym"].completed and after["Gym"].due_date == today + timedelta(days=1)
    assert after["Gym"].recurrence == "FREQ=DAILY"
    assert after["Post letter"].completed and after["Last lesson"].completed
    assert [row.due_date for row in await task_repeat.completions(session, user.id, gym.id)] == [
        today
    ]

    undone = await service.undo(user.id, changed.undo_id)
    assert undone is not None and undone.count == 3
    back = {task.title: task for task in (await service.list_tasks(user.id, TaskFilter())).tasks}
    assert not any(task.completed for task in back.values())
    assert back["Gym"].due_date == today and back["Last lesson"].recurrence == "FREQ=WEEKLY;COUNT=1"
    assert await task_repeat.completions(session, user.id, gym.id) == []
    assert {letter.id, last.id} <= {task.id for task in back.values()}


async def test_one_change_that_stops_a_repeat_and_completes_the_task(
    session: AsyncSession, user: User
) -> None:
    """ "Done, and no more of these" in one PATCH: done with no rule (it was a 500); with a
    new rule instead, it moves on by the new one."""
    service = TaskService(session)
    today = Clock().today()
    task = await service.create_task(
        user.id, TaskCreate(title="Gym", due_date=today, recurrence="FREQ=DAILY")
    )
    done = await service.update_task(user.id, task.id, TaskUpdate(recurrence=None, completed=True))
    assert done.completed and done.recurrence is None and done.repeat_from is None
    other = await service.create_task(
        user.id, TaskCreate(title="Swim", due_date=today, recurrence="FREQ=DAILY")
    )
    weekly = await service.update_task(
        user.id, other.id, TaskUpdate(recurrence="FREQ=WEEKLY", completed=True)
    )
    assert not weekly.completed and weekly.due_date == today + timedelta(days=7)
