"""Importing a Todoist CSV (a project exported as a template): one file, one project."""

from datetime import date, datetime

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed, log_in
from tests.imports import alert, confirm, count, page_text, upload
from webapp.models import PendingImport, Project, Task, User
from webapp.services.project_service import ProjectService
from webapp.services.user_service import UserService

HEADER = (
    "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,"
    "DURATION,DURATION_UNIT,DEADLINE,DEADLINE_LANG"
)
# As Todoist writes it: CRLF, a meta row, a blank row before a section, a note; its
# priorities inverted (4 is p1).
HOME = "\r\n".join(
    [
        HEADER,
        "meta,view_style=list,,,,,,,,,,,,",
        "task,Fix the tap @house @urgent,Washer is worn,4,1,Sam (1),,every monday,en,"
        "Europe/London,30,minute,,",
        "task,Buy a washer,,1,2,Sam (1),,2026-12-24,en,Europe/London,,,,",
        "note,Hardware shop on Main St,,,,Sam (1),,,,,,,,",
        ",,,,,,,,,,,,,",
        "section,Garden,,,,,,,,,,,,",
        'task,"Mow the lawn, front and back",,3,1,Sam (1),,Dec 24 5pm,en,,,,,',
        "task,Water the ferns,,2,1,Sam (1),,when the moon is full,en,,,,,",
        "task,Call mum at mum@example.com,,,1,,,,,,,,,",
        "",
    ]
).encode()


async def send(
    client: httpx.AsyncClient, data: bytes = HOME, name: str = "Home [2203306141].csv", **extra: str
) -> httpx.Response:
    return await upload(client, data, name, "text/csv", **extra)


@pytest.fixture
async def berlin(session: AsyncSession, user: User) -> User:
    """Alice reads dates as a Berliner writing month first would."""
    await UserService(session).set_clock(user.id, timezone="Europe/Berlin", date_order="MDY")
    return user


async def test_a_todoist_csv_becomes_tasks_of_its_project(
    user_client: httpx.AsyncClient, session: AsyncSession, berlin: User
) -> None:
    preview = await send(user_client)
    assert preview.status_code == 200, alert(preview)
    text = page_text(preview)
    assert "is a Todoist CSV and holds 5 tasks" in text and "5 tasks will be added" in text
    assert "the project Home" in text
    # The date it cannot read keeps its task, and the preview names it.
    assert "could not be read" in text and "when the moon is full" in text and "line 9" in text
    assert "1 section skipped" in text and "1 sub-task imported as a task of its own" in text
    assert await listed(session, berlin.id) == []

    assert (await confirm(user_client, preview)).status_code == 303
    projects = {p.id: p.name for p in await ProjectService(session).list_projects(berlin.id)}
    found = {t.title: t for t in await listed(session, berlin.id)}
    assert {projects[t.project_id] for t in found.values()} == {"Home"}

    tap = found["Fix the tap"]
    assert sorted(tap.labels) == ["house", "urgent"] and tap.priority == "high"
    assert tap.description == "Washer is worn"
    assert tap.recurrence == "FREQ=WEEKLY;BYDAY=MO" and tap.repeat_from == "due"
    assert tap.due_date is not None and tap.due_date.weekday() == 0

    washer = found["Buy a washer"]
    assert washer.due_date == date(2026, 12, 24) and washer.priority == "medium"
    assert washer.description == "Hardware shop on Main St"  # the note, kept

    lawn = found["Mow the lawn, front and back"]
    assert lawn.priority == "medium" and lawn.due_date is None
    assert lawn.due_at == datetime.fromisoformat("2026-12-24T17:00:00+01:00")  # Berlin's 5pm
    ferns = found["Water the ferns"]
    assert ferns.priority == "low" and ferns.due_date is None and ferns.due_at is None
    mum = found["Call mum at mum@example.com"]
    assert mum.labels == [] and mum.priority == "medium"


async def test_importing_the_same_csv_twice_adds_nothing(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await confirm(user_client, await send(user_client))
    again = await send(user_client)
    assert "All of them are already in your list" in page_text(again)
    assert 'action="/settings/import/confirm"' not in again.text
    assert len(await listed(session, user.id)) == 5
    assert await count(session, Project, Project.user_id == user.id) == 2  # Inbox, Home


async def test_the_project_may_be_named_on_the_form_and_an_existing_one_is_reused(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    errands = await ProjectService(session).create_project(user.id, "Errands")
    await session.commit()
    preview = await send(user_client, name="export.csv", project="errands")
    assert "the project errands" in page_text(preview)
    await confirm(user_client, preview)
    assert {t.project_id for t in await listed(session, user.id)} == {errands.id}


async def test_missing_trailing_columns_are_fine_and_the_format_may_be_chosen(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    short = b"TYPE,CONTENT,DESCRIPTION,PRIORITY\ntask,Short row @x\ntask,Full,desc,4\n"
    preview = await send(user_client, short, name="Short.csv", format="todoist")
    assert "2 tasks will be added" in page_text(preview)
    await confirm(user_client, preview)
    found = {t.title: t for t in await listed(session, user.id)}
    assert found["Short row"].labels == ["x"] and found["Full"].priority == "high"


BAD_FILES = {
    "a bad priority": (HEADER + "\ntask,ok,,1\ntask,Bad,,9\n", "line 3"),
    "a title too long": (HEADER + "\ntask,ok\ntask," + "x" * 201 + "\n", "line 3"),
    "an unknown row type": (HEADER + "\ntask,ok\nsubtask,huh\n", "Line 3"),
    "no tasks": (HEADER + "\nsection,Only a section\n", "no tasks"),
    "not Todoist's header": ("NAME,DUE\nBuy milk,today\n", "none of the formats"),
    "a huge cell": (HEADER + '\ntask,"' + "x" * 200_000 + '"\n', "cannot be read"),
    "too many labels": (HEADER + "\ntask,t " + " ".join(f"@l{i}" for i in range(21)), "labels"),
}


@pytest.mark.parametrize("name", BAD_FILES)
async def test_a_bad_csv_is_a_clear_4xx_and_writes_nothing(
    user_client: httpx.AsyncClient, session: AsyncSession, name: str
) -> None:
    data, word = BAD_FILES[name]
    response = await send(user_client, data.encode())
    assert response.status_code == 422, name
    assert word in alert(response), alert(response)
    assert await count(session, PendingImport) == 0 and await count(session, Task) == 0


async def test_a_csv_not_in_utf8_or_a_bad_project_name_is_refused(
    user_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    latin = (HEADER + "\ntask,Caf\xe9\n").encode("latin-1")
    assert "not UTF-8" in alert(await send(user_client, latin))
    long_name = await send(user_client, project="p" * 101)
    assert long_name.status_code == 422 and "at most 100 characters" in alert(long_name)
    bad_choice = await send(user_client, format="excel")
    assert bad_choice.status_code == 400
    assert await count(session, PendingImport) == 0 and await count(session, Task) == 0


async def test_another_users_tasks_and_projects_are_untouched(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    home = await ProjectService(session).create_project(bob.id, "Home")
    await session.commit()
    await log_in(client, session, user)
    await confirm(client, await send(client))
    assert await listed(session, bob.id) == []
    bobs = await ProjectService(session).list_projects(bob.id)
    assert [(p.id, p.name) for p in bobs if not p.is_inbox] == [(home.id, "Home")]
    # Bob imports the same file: his own tasks, into his own Home; Alice's stay hers.
    await log_in(client, session, bob)
    preview = await send(client)
    assert "5 tasks will be added" in page_text(preview)
    await confirm(client, preview)
    assert {t.project_id for t in await listed(session, bob.id)} == {home.id}
    assert len(await listed(session, user.id)) == 5
