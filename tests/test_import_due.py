"""Export and import carry each task's due (a day or a moment) and repeat; files of the
export's version 1, which had no due fields, are still read."""

import json
import uuid
from datetime import date, datetime

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed, log_in
from tests.imports import alert, confirm, page_text, upload
from webapp.models import User
from webapp.schemas import TaskCreate
from webapp.services.task_service import TaskService
from webapp.services.user_service import UserService

DUE_FIELDS = ("title", "due_date", "due_at", "recurrence", "repeat_from")


def export_of(version: int, *tasks: dict) -> bytes:
    document = {"format": "tasks-export", "version": version, "tasks": list(tasks)}
    return json.dumps(document).encode()


def rows(found: list) -> list[tuple]:
    return sorted(tuple(getattr(task, name) for name in DUE_FIELDS) for task in found)


async def test_due_dates_and_repeats_round_trip_into_another_account(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    tasks = TaskService(session)
    await tasks.create_task(user.id, TaskCreate(title="Undated"))
    await tasks.create_task(user.id, TaskCreate(title="A day", due_date="2026-12-24"))
    await tasks.create_task(
        user.id, TaskCreate(title="A moment", due_at="2026-12-24T17:30:00+01:00")
    )
    await tasks.create_task(
        user.id,
        TaskCreate(
            title="Repeats",
            due_date="2026-03-02",
            recurrence="FREQ=MONTHLY;BYDAY=-1FR",
            repeat_from="completion",
        ),
    )
    await session.commit()
    await log_in(client, session, user)
    exported = (await client.get("/settings/export.json")).content
    assert json.loads(exported)["version"] == 2

    await log_in(client, session, bob)
    assert (await confirm(client, await upload(client, exported))).status_code == 303
    theirs, ours = rows(await listed(session, user.id)), rows(await listed(session, bob.id))
    assert ours == theirs
    assert ("A day", date(2026, 12, 24), None, None, None) in ours
    moment = next(row for row in ours if row[0] == "A moment")[2]
    assert moment == datetime.fromisoformat("2026-12-24T17:30:00+01:00")
    assert ("Repeats", date(2026, 3, 2), None, "FREQ=MONTHLY;BYDAY=-1FR", "completion") in ours


async def test_a_version_1_file_is_still_read(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    old = export_of(1, {"uid": str(uuid.uuid4()), "title": "From before due dates"})
    preview = await upload(user_client, old)
    assert "1 task will be added" in page_text(preview)
    await confirm(user_client, preview)
    assert rows(await listed(session, user.id)) == [
        ("From before due dates", None, None, None, None)
    ]


async def test_a_repeat_without_a_due_starts_like_a_typed_one(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    file = export_of(2, {"uid": str(uuid.uuid4()), "title": "Weekly", "recurrence": "FREQ=WEEKLY"})
    await confirm(user_client, await upload(user_client, file))
    (task,) = await listed(session, user.id)
    assert task.recurrence == "FREQ=WEEKLY" and task.repeat_from == "due"
    assert task.due_date is not None  # its first day, from today


BAD_DUES = {
    "both dues": ({"due_date": "2026-01-01", "due_at": "2026-01-01T09:00:00Z"}, "not both"),
    "a bad day": ({"due_date": "2026-02-30"}, "due_date"),
    "a naive moment": ({"due_at": "2026-01-01T09:00:00"}, "due_at"),
    "a bad rule": ({"recurrence": "FREQ=SECONDLY"}, "recurrence"),
    "a bad repeat_from": ({"recurrence": "FREQ=DAILY", "repeat_from": "never"}, "repeat_from"),
}


async def test_a_bad_due_refuses_the_file_naming_it(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    for name, (fields, word) in BAD_DUES.items():
        file = export_of(
            2,
            {"uid": str(uuid.uuid4()), "title": "Fine"},
            {"uid": str(uuid.uuid4()), "title": "Bad", **fields},
        )
        response = await upload(user_client, file)
        assert response.status_code == 422, name
        message = alert(response)
        assert "index 1" in message and word in message, (name, message)
    assert await listed(session, user.id) == []
