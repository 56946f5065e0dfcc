"""Importing a Vikunja export: its ZIP or the data.json inside, projects by name."""

import io
import json
import zipfile
from datetime import datetime

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed, log_in
from tests.imports import alert, confirm, count, page_text, upload
from webapp.models import PendingImport, Task, User
from webapp.services import import_vikunja
from webapp.services.project_service import ProjectService
from webapp.services.user_service import UserService

NONE = "0001-01-01T00:00:00Z"


def vikunja_task(id: int, title: str, **fields: object) -> dict:
    """A task as Vikunja's data.json has it (the fields we read, and a few we do not)."""
    return {
        "id": id,
        "title": title,
        "description": "",
        "done": False,
        "done_at": NONE,
        "due_date": NONE,
        "priority": 0,
        "labels": None,
        "repeat_after": 0,
        "repeat_mode": 0,
        "created": "2026-01-05T10:00:00+01:00",
        "updated": "2026-01-06T10:00:00+01:00",
        "bucket_id": 1,
        "position": 65536,
        "identifier": f"#{id}",
        **fields,
    }


DATA = [
    {
        "id": 1,
        "title": "Inbox",
        "description": "",
        "tasks": [
            vikunja_task(
                1,
                "Renew passport",
                description="<p>Photos first.</p><p>Then the <b>form</b> &amp; fee.</p>",
                due_date="2026-12-24T12:00:00+01:00",
                priority=4,
                labels=[{"id": 3, "title": "Admin", "hex_color": "e8e8e8"}],
            ),
            vikunja_task(2, "Old chore", done=True, priority=1),
        ],
    },
    {
        "id": 2,
        "title": "Garden",
        "parent_project_id": 0,
        "tasks": [
            vikunja_task(3, "Water plants", due_date="2026-03-02T08:00:00Z", repeat_after=172800),
            vikunja_task(4, "Prune", repeat_mode=1, due_date="2026-03-10T09:00:00Z", priority=3),
            vikunja_task(5, "Feed the fish", repeat_after=604800, repeat_mode=2),
            vikunja_task(6, "Check the pump", repeat_after=3600 * 5, priority=2),
        ],
    },
]


def data_json(data: list = DATA) -> bytes:
    return json.dumps(data).encode()


def export_zip(data: bytes, name: str = "data.json", **more: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("VERSION", "v0.24.1")
        archive.writestr("filters.json", "[]")
        archive.writestr(name, data)
        for other, content in more.items():
            archive.writestr(other, content)
    return buffer.getvalue()


async def test_a_vikunja_zip_becomes_tasks_in_projects_of_the_same_names(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    preview = await upload(
        user_client, export_zip(data_json()), "vikunja-export.zip", "application/zip"
    )
    assert preview.status_code == 200, alert(preview)
    text = page_text(preview)
    assert "is a Vikunja export and holds 6 tasks" in text
    assert "could not be kept" in text and "Check the pump" in text
    assert await listed(session, user.id) == []
    await confirm(user_client, preview)

    projects = {p.id: p for p in await ProjectService(session).list_projects(user.id)}
    found = {t.title: t for t in await listed(session, user.id)}
    where = {title: projects[t.project_id] for title, t in found.items()}
    assert where["Renew passport"].is_inbox and where["Old chore"].is_inbox
    assert {where[t].name for t in ("Water plants", "Prune", "Feed the fish")} == {"Garden"}
    assert sum(1 for p in projects.values() if p.name == "Garden") == 1

    passport = found["Renew passport"]
    assert passport.description == "Photos first.\n\nThen the form & fee."
    assert passport.due_at == datetime.fromisoformat("2026-12-24T12:00:00+01:00")
    assert passport.due_date is None and passport.priority == "high"
    assert passport.labels == ["Admin"] and not passport.completed
    assert passport.created_at == datetime.fromisoformat("2026-01-05T10:00:00+01:00")
    chore = found["Old chore"]
    assert chore.completed and chore.priority == "low" and chore.description is None

    water = found["Water plants"]
    assert (water.recurrence, water.repeat_from) == ("FREQ=DAILY;INTERVAL=2", "due")
    prune = found["Prune"]
    assert (prune.recurrence, prune.repeat_from, prune.priority) == ("FREQ=MONTHLY", "due", "high")
    fish = found["Feed the fish"]
    assert (fish.recurrence, fish.repeat_from) == ("FREQ=WEEKLY", "completion")
    assert fish.due_date is not None  # a repeat without a due starts as a typed one does
    pump = found["Check the pump"]
    assert pump.recurrence is None and pump.priority == "medium"


async def test_the_bare_data_json_is_read_too_and_twice_adds_nothing(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await confirm(user_client, await upload(user_client, export_zip(data_json()), "export.zip"))
    again = await upload(user_client, data_json(), "data.json")
    assert "All of them are already in your list" in page_text(again)
    assert 'action="/settings/import/confirm"' not in again.text
    # A task listed twice (Vikunja's Favorites) is one task.
    favourites = {"id": -1, "title": "Favorites", "tasks": [vikunja_task(1, "Renew passport")]}
    twice = await upload(user_client, data_json([*DATA, favourites]), "data.json")
    assert "holds 6 tasks" in page_text(twice)
    assert len(await listed(session, user.id)) == 6


def bomb() -> bytes:
    """A data.json of 80 MB of spaces, deflated to a few hundred kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.json", "w", force_zip64=True) as entry:
            for _ in range(80):
                entry.write(b" " * (1024 * 1024))
    return buffer.getvalue()


BAD_FILES = {
    "a damaged zip": b"PK\x03\x04" + b"\x00" * 100,
    "a zip without data.json": export_zip(b"[]", "other.json"),
    "a zip of non-JSON": export_zip(b"not json"),
    "projects not objects": data_json(["Inbox"]),  # type: ignore[list-item]
    "tasks not a list": data_json([{"title": "Inbox", "tasks": {"a": 1}}]),
    "no tasks": data_json([{"title": "Inbox", "tasks": []}]),
    "a task without a title": data_json([{"title": "Inbox", "tasks": [{"id": 1}]}]),
    "a bad due date": data_json([{"title": "P", "tasks": [vikunja_task(1, "t", due_date="soon")]}]),
    "a bad label": data_json(
        [{"title": "P", "tasks": [vikunja_task(1, "t", labels=[{"title": 5}])]}]
    ),
    "done as text": data_json([{"title": "P", "tasks": [vikunja_task(1, "t", done="yes")]}]),
    "a zip bomb": bomb(),
}


@pytest.mark.parametrize("name", BAD_FILES)
async def test_a_bad_vikunja_file_is_a_clear_4xx_and_writes_nothing(
    user_client: httpx.AsyncClient, session: AsyncSession, name: str
) -> None:
    response = await upload(user_client, BAD_FILES[name], "export.zip", format="vikunja")
    assert response.status_code == 422, name
    assert len(alert(response)) > 20
    assert await count(session, PendingImport) == 0 and await count(session, Task) == 0


async def test_a_bad_task_is_named_by_its_project_and_index(user_client: httpx.AsyncClient) -> None:
    data = [
        DATA[0],
        {"title": "Garden", "tasks": [vikunja_task(7, "ok"), vikunja_task(8, "x" * 201)]},
    ]
    message = alert(await upload(user_client, data_json(data), "data.json"))
    assert "index 1 of the project “Garden”" in message and "title" in message


async def test_a_zip_bomb_is_stopped_without_inflating_it(monkeypatch: pytest.MonkeyPatch) -> None:
    read = []
    real_open = zipfile.ZipFile.open

    def counting_open(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        entry = real_open(self, *args, **kwargs)
        real_read = entry.read
        entry.read = lambda n=-1: read.append(n) or real_read(n)  # type: ignore[method-assign]
        return entry

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    with pytest.raises(import_vikunja.ImportRefused, match="over 64 MB"):
        import_vikunja.read_archive(bomb())
    assert read == []  # refused from its stated size, nothing inflated


async def test_another_users_projects_and_tasks_are_untouched(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    garden = await ProjectService(session).create_project(bob.id, "Garden")
    await session.commit()
    await log_in(client, session, user)
    await confirm(client, await upload(client, data_json(), "data.json"))
    assert await listed(session, bob.id) == []
    assert [
        p.id for p in await ProjectService(session).list_projects(bob.id) if p.name == "Garden"
    ] == [garden.id]
    await log_in(client, session, bob)
    await confirm(client, await upload(client, data_json(), "data.json"))
    mine = [t for t in await listed(session, bob.id) if t.title == "Water plants"]
    assert [t.project_id for t in mine] == [garden.id]
    assert len(await listed(session, user.id)) == 6
