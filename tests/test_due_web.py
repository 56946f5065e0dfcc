"""Due dates and quick add through the pages and the API, as a browser and a script would:
the New task field read in the user's zone, the edit form's Due date / Due time / Repeat,
Today and Upcoming, the preview, Settings, the calendar feed and the JSON API."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import icalendar
from bs4 import BeautifulSoup
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed, log_in
from webapp.models import User
from webapp.schemas import TaskCreate
from webapp.services.due_dates import Clock
from webapp.services.task_service import TaskService
from webapp.services.token_service import TokenService
from webapp.services.user_service import UserService

ZONE = "America/New_York"
TZ = ZoneInfo(ZONE)


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def row_titles(response: httpx.Response) -> list[str]:
    task_list = soup(response).find("ul", attrs={"aria-label": "Tasks"})
    return [
        " ".join(li.select_one(".title").get_text().split()) for li in task_list.select("li.task")
    ]


async def _in_zone(session: AsyncSession, user: User, zone: str = ZONE) -> None:
    await UserService(session).set_clock(user.id, timezone=zone)


async def test_new_task_form_reads_quick_add_in_the_users_zone(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await _in_zone(session, user)
    response = await user_client.post("/tasks", data={"title": "Buy milk tomorrow 5pm"})
    assert response.status_code == 303
    [task] = await listed(session, user.id)
    assert task.title == "Buy milk"
    tomorrow = Clock(ZONE).today() + timedelta(days=1)
    assert task.due_at.astimezone(TZ).replace(tzinfo=None) == datetime.combine(tomorrow, time(17))
    page = await user_client.get("/tasks")
    assert "Due Tomorrow 17:00" in page.text


async def test_dismissed_spans_stay_literal(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    text = "Create monthly report"
    await user_client.post("/tasks", data={"title": "Pay rent monthly"})
    await user_client.post("/tasks", data={"title": "Plan monthly", "ignore": "5-12"})
    titles = sorted(t.title for t in await listed(session, user.id))
    assert titles == ["Pay rent", "Plan monthly"]
    preview = await user_client.get("/tasks/quick-add/preview", params={"title": text + " p1"})
    assert preview.status_code == 200
    page = soup(preview)
    assert "→ Create monthly report" in page.get_text()
    chip = page.find("button", attrs={"aria-label": "Keep “p1” as text"})
    again = await user_client.get(chip["hx-get"])
    assert "→ Create monthly report p1" in soup(again).get_text()
    assert soup(again).find(id="new-ignore")["value"] == "22-24"
    # Refused (a title over 200 characters), the form keeps the text and what it dismissed.
    long = "x" * 201 + " monthly"
    refused = await user_client.post("/tasks", data={"title": long, "ignore": "202-209"})
    assert refused.status_code == 422
    assert soup(refused).find(id="new-ignore")["value"] == "202-209"
    assert soup(refused).find(id="new-title")["value"] == long


async def test_edit_form_due_date_time_and_repeat(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await _in_zone(session, user)
    task = await TaskService(session).create_task(user.id, TaskCreate(title="Report"))
    form = soup(await user_client.get(f"/tasks/{task.id}/edit"))
    for label in ("Due date", "Due time", "Repeat"):
        assert form.find("label", string=label) is not None
    data = {"title": "Report", "due_date": "2031-03-07", "due_time": "09:30", "repeat": ""}
    assert (await user_client.post(f"/tasks/{task.id}", data=data)).status_code == 303
    [saved] = await listed(session, user.id)
    assert saved.due_at == datetime(2031, 3, 7, 9, 30, tzinfo=TZ) and saved.due_date is None
    data |= {"due_time": "", "repeat": "every friday"}
    await user_client.post(f"/tasks/{task.id}", data=data)
    [saved] = await listed(session, user.id)
    assert saved.due_date == date(2031, 3, 7) and saved.recurrence == "FREQ=WEEKLY;BYDAY=FR"
    refused = await user_client.post(f"/tasks/{task.id}", data=data | {"repeat": "whenever"})
    assert refused.status_code == 422 and "every monday" in refused.text
    refused = await user_client.post(f"/tasks/{task.id}", data=data | {"due_date": "soonish"})
    assert refused.status_code == 422
    data |= {"repeat": ""}
    await user_client.post(f"/tasks/{task.id}", data=data)
    [saved] = await listed(session, user.id)
    assert saved.recurrence is None and saved.repeat_from is None


async def test_ticking_a_repeating_task_moves_it_on_and_undo_puts_it_back(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await user_client.post("/tasks", data={"title": "Invoice every 30th"})
    [task] = await listed(session, user.id)
    first = task.due_date
    response = await user_client.post(f"/tasks/{task.id}/toggle", data={"completed": "true"})
    assert response.status_code == 303
    [moved] = await listed(session, user.id)
    assert not moved.completed and moved.due_date > first
    page = await user_client.get(response.headers["location"])
    undo = soup(page).find("form", action="/tasks/undo")
    token = undo.find("input", attrs={"name": "token"})["value"]
    await user_client.post("/tasks/undo", data={"token": token})
    [back] = await listed(session, user.id)
    assert back.due_date == first and not back.completed


async def test_today_and_upcoming_pages_for_a_user_far_from_utc(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    zone = "Pacific/Kiritimati"  # UTC+14: its today is often UTC's tomorrow
    await _in_zone(session, user, zone)
    clock = Clock(zone)
    today = clock.today()
    service = TaskService(session)
    for title, due in (
        ("late", today - timedelta(days=1)),
        ("now", today),
        ("soon", today + timedelta(days=3)),
        ("later", today + timedelta(days=30)),
    ):
        await service.create_task(user.id, TaskCreate(title=title, due_date=due))
    await service.create_task(user.id, TaskCreate(title="whenever"))
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    await service.create_task(bob.id, TaskCreate(title="bob's", due_date=today))

    page = await user_client.get("/tasks?view=today")
    assert row_titles(page) == ["late", "now"]
    assert "Overdue" in soup(page).find("ul", attrs={"aria-label": "Tasks"}).get_text()
    sidebar = soup(page).find("nav", attrs={"aria-label": "Projects"})
    today_link = sidebar.find("a", href="/tasks?view=today")
    assert today_link["aria-current"] == "page" and "2" in today_link.get_text()
    assert sidebar.find("a", href="/tasks?view=upcoming") is not None
    upcoming = await user_client.get("/tasks?view=upcoming")
    assert row_titles(upcoming) == ["now", "soon"]
    headings = [h.get_text() for h in soup(upcoming).select("li.day-head h2")]
    assert headings[0].startswith("Today") and len(headings) == 2
    by_due = await user_client.get("/tasks?sort=due")
    assert row_titles(by_due) == ["late", "now", "soon", "later", "whenever"]


async def test_an_evening_task_west_of_utc_comes_before_tomorrows(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    """Dinner at 20:00 in New York is 01:00 UTC the next day: it is still today's, before
    tomorrow's date-only call, in Upcoming and in the due order."""
    await _in_zone(session, user)
    today = Clock(ZONE).today()
    service = TaskService(session)
    await service.create_task(
        user.id, TaskCreate(title="Call mum", due_date=today + timedelta(days=1))
    )
    dinner = datetime.combine(today, time(20, 0), TZ)
    await service.create_task(user.id, TaskCreate(title="Dinner", due_at=dinner))
    upcoming = await user_client.get("/tasks?view=upcoming")
    assert row_titles(upcoming) == ["Dinner", "Call mum"]
    headings = [h.get_text() for h in soup(upcoming).select("li.day-head h2")]
    assert headings[0].startswith("Today") and headings[1].startswith("Tomorrow")
    assert row_titles(await user_client.get("/tasks?sort=due")) == ["Dinner", "Call mum"]


async def test_settings_clock_and_registration_zone(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    page = soup(await user_client.get("/settings"))
    assert page.find("select", attrs={"name": "timezone"}) is not None
    ok = await user_client.post(
        "/settings/clock", data={"timezone": "Europe/Berlin", "date_order": "MDY"}
    )
    assert ok.status_code == 303
    bad = await user_client.post("/settings/clock", data={"timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "Choose a time zone" in bad.text
    me = await UserService(session).get_user_by_email(user.email)
    await session.refresh(me)
    assert (me.timezone, me.date_order) == ("Europe/Berlin", "MDY")


async def test_registration_takes_the_browsers_zone(client: httpx.AsyncClient, session) -> None:  # noqa: ANN001
    form = soup(await client.get("/register"))
    assert form.find("input", attrs={"name": "timezone", "type": "hidden"})["value"] == "UTC"
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    data = {"email": "zed@example.com", "password": PASSWORD, "timezone": "Asia/Tokyo"}
    response = await client.post("/register", data=data | {"csrf_token": token})
    assert response.status_code == 303
    zed = await UserService(session).get_user_by_email("zed@example.com")
    assert zed.timezone == "Asia/Tokyo"


async def test_calendar_feed(
    user_client: httpx.AsyncClient, client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await _in_zone(session, user, "Europe/Berlin")
    service = TaskService(session)
    await service.create_task(user.id, TaskCreate(title="All day", due_date=date(2031, 5, 1)))
    at = datetime(2031, 5, 2, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    await service.create_task(
        user.id, TaskCreate(title="Stand-up", due_at=at, recurrence="FREQ=DAILY")
    )
    await user_client.post("/settings/calendar", data={"action": "new"})
    url = soup(await user_client.get("/settings")).find(id="calendar-url")["value"]
    path = url.removeprefix("http://testserver")
    response = await client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/calendar"
    )
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert events["All day"].decoded("dtstart") == date(2031, 5, 1)
    standup = events["Stand-up"]
    assert standup["dtstart"].params["TZID"] == "Europe/Berlin"
    assert standup["rrule"]["FREQ"] == ["DAILY"]
    assert (await client.get("/calendar/not-a-real-secret-at-all.ics")).status_code == 404
    await user_client.post("/settings/calendar", data={"action": "off"})
    assert (await client.get(path)).status_code == 404


async def _token(session: AsyncSession, user: User) -> dict[str, str]:
    _, token = await TokenService(session).create_token(user.id, "tests")
    return {"Authorization": f"Bearer {token}"}


async def test_api_quick_create_and_quick_add_preview(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    auth = await _token(session, user)
    put = await client.put("/api/me", json={"timezone": ZONE, "date_order": "MDY"}, headers=auth)
    assert put.status_code == 200 and put.json()["timezone"] == ZONE
    me = (await client.get("/api/me", headers=auth)).json()
    assert (me["timezone"], me["date_order"]) == (ZONE, "MDY")
    made = await client.post(
        f"/api/{user.id}/tasks/", json={"quick": "Buy milk tomorrow 5pm"}, headers=auth
    )
    assert made.status_code == 201, made.text
    task = made.json()
    assert task["title"] == "Buy milk" and task["due_date"] is None
    due = datetime.fromisoformat(task["due_at"]).astimezone(TZ)
    assert (due.date(), due.time()) == (Clock(ZONE).today() + timedelta(days=1), time(17))
    now = "2027-03-05T10:00:00-05:00"
    read = await client.get(
        f"/api/{user.id}/quick-add",
        params={"text": "Pay rent #Nope every last friday p1", "now": now},
        headers=auth,
    )
    assert read.status_code == 200
    body = read.json()
    assert body["title"] == "Pay rent #Nope" and body["recurrence"] == "FREQ=MONTHLY;BYDAY=-1FR"
    assert body["due_date"] == "2027-03-26" and body["priority"] == "high"
    assert body["project"] is None and {s["kind"] for s in body["spans"]} == {"repeat", "priority"}
    timed = await client.get(
        f"/api/{user.id}/quick-add", params={"text": "Call 3/6 9am", "now": now}, headers=auth
    )
    assert timed.json()["due_at"] == "2027-03-06T09:00:00-05:00"
    naive = await client.get(
        f"/api/{user.id}/quick-add", params={"text": "x", "now": "2027-03-05T10:00"}, headers=auth
    )
    assert naive.status_code == 422
    assert len(await listed(session, user.id)) == 1


async def test_api_due_fields_and_invalid_recurrence(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    auth = await _token(session, user)
    tasks = f"/api/{user.id}/tasks/"
    bad = await client.post(tasks, json={"title": "x", "recurrence": "FREQ=HOURLY"}, headers=auth)
    assert bad.status_code == 422 and "HOURLY" in bad.text
    both = {"title": "x", "due_date": "2030-01-01", "due_at": "2030-01-01T10:00:00Z"}
    assert (await client.post(tasks, json=both, headers=auth)).status_code == 422
    naive = {"title": "x", "due_at": "2030-01-01T10:00:00"}
    assert (await client.post(tasks, json=naive, headers=auth)).status_code == 422
    made = await client.post(
        tasks, json={"title": "Gym", "recurrence": "FREQ=WEEKLY;BYDAY=MO"}, headers=auth
    )
    task = made.json()
    assert task["recurrence"] == "FREQ=WEEKLY;BYDAY=MO" and task["repeat_from"] == "due"
    assert date.fromisoformat(task["due_date"]).weekday() == 0
    done = await client.put(f"{tasks}{task['id']}", json={"completed": True}, headers=auth)
    assert done.json()["completed"] is False
    assert done.json()["due_date"] > task["due_date"]
    moved = await client.put(
        f"{tasks}{task['id']}", json={"due_at": "2030-01-01T10:00:00+01:00"}, headers=auth
    )
    assert moved.json()["due_date"] is None and moved.json()["due_at"].startswith("2030-01-01T09")


async def test_due_dates_near_the_calendars_ends_are_refused_not_a_500(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    """A moment in the year 9999 has no local date in a zone 14 hours ahead: such dues are
    refused with a sentence, from the API and from the edit form, and the list still shows."""
    await _in_zone(session, user, "Pacific/Kiritimati")
    auth = await _token(session, user)
    tasks = f"/api/{user.id}/tasks/"
    for due in (
        {"due_at": "9999-12-31T20:00:00+00:00"},
        {"due_date": "0001-01-01"},
        {"due_date": 1699920000},  # Unix seconds: no date, though pydantic would read one
        {"due_at": "2030-01-01T10:00Z"},  # RFC 3339 wants the seconds
    ):
        refused = await client.post(tasks, json={"title": "x", **due}, headers=auth)
        assert refused.status_code == 422, due
        assert "1900 to 8999" in refused.json()["detail"][0]["msg"]
    task = await TaskService(session).create_task(user.id, TaskCreate(title="Report"))
    data = {"title": "Report", "due_date": "9999-12-31", "due_time": "23:00", "repeat": ""}
    refused = await user_client.post(f"/tasks/{task.id}", data=data)
    assert refused.status_code == 422 and "between the years 1900 and 8999" in refused.text
    assert (await user_client.get("/tasks")).status_code == 200
    # The API takes a rule only as it gives one back, and says which that is.
    spelled = {"title": "x", "recurrence": "byday=mo;freq=weekly"}
    refused = await client.post(tasks, json=spelled, headers=auth)
    assert refused.status_code == 422 and "FREQ=WEEKLY;BYDAY=MO" in refused.text


async def test_another_users_tasks_never_show(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    await TaskService(session).create_task(
        bob.id, TaskCreate(title="bob's", due_date=Clock().today())
    )
    await log_in(client, session, user)
    for path in ("/tasks?view=today", "/tasks?view=upcoming", "/tasks?sort=due"):
        assert "bob's" not in (await client.get(path)).text
    await session.exec(update(User).where(User.id == bob.id).values(calendar_token="b" * 32))
    await session.commit()
    feed = await client.get("/calendar/" + "b" * 32 + ".ics")
    assert b"bob's" in feed.content and b"alice" not in feed.content
