"""Settings → Import: a preview that writes nothing, a confirmation that writes all or nothing."""

import json
import uuid
from datetime import timedelta

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed, log_in
from tests.forms import form_fields
from tests.imports import CONFIRM, PAGE, confirm, count, page_text, upload
from webapp.models import PendingImport, Task, User
from webapp.schemas import TaskCreate
from webapp.services.task_service import Sort, TaskService
from webapp.services.user_service import UserService


def export_of(*tasks: dict) -> bytes:
    return json.dumps({"format": "tasks-export", "version": 1, "tasks": list(tasks)}).encode()


def task(title: str, **fields: object) -> dict:
    return {"uid": str(uuid.uuid4()), "title": title, **fields}


@pytest.fixture
async def bob(session: AsyncSession) -> User:
    return await UserService(session).create_user("bob@example.com", PASSWORD)


async def test_the_page_has_a_file_form(user_client: httpx.AsyncClient) -> None:
    page = BeautifulSoup((await user_client.get(PAGE)).text, "html.parser")
    form = page.find("form", action=PAGE)
    assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
    assert form.find("input", type="file")["name"] == "file"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]


async def test_an_export_round_trips_into_another_account(
    client: httpx.AsyncClient, session: AsyncSession, user: User, bob: User
) -> None:
    tasks = TaskService(session)
    await tasks.create_task(user.id, TaskCreate(title="Old", description="notes", priority="low"))
    done = await tasks.create_task(user.id, TaskCreate(title="Done one", priority="high"))
    await tasks.set_completed(user.id, done.id, True)
    await log_in(client, session, user)
    exported = (await client.get("/settings/export.json")).content

    await log_in(client, session, bob)
    preview = await upload(client, exported)
    assert preview.status_code == 200
    assert "2 tasks will be added" in page_text(preview)
    assert await listed(session, bob.id) == []  # the preview wrote nothing

    confirmed = await confirm(client, preview)
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/tasks"
    notice = page_text(await client.get("/tasks"))
    assert "Imported 2 tasks." in notice
    fields = ("uid", "title", "description", "priority", "completed", "created_at")

    def rows(found: list) -> list[tuple]:
        return sorted(tuple(getattr(t, name) for name in fields) for t in found)

    assert rows(await listed(session, bob.id)) == rows(await listed(session, user.id))
    # Changed here when imported, whatever the file says: news to bob's sync scripts.
    originals = {t.uid: t.updated_at for t in await listed(session, user.id)}
    assert all(t.updated_at > originals[t.uid] for t in await listed(session, bob.id))
    assert await count(session, PendingImport) == 0  # consumed


async def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    first, second = task("First"), task("Second", completed=True)
    assert (await confirm(user_client, await upload(user_client, export_of(first)))).is_redirect
    preview = await upload(user_client, export_of(first, second))
    text = page_text(preview)
    assert "1 task will be added" in text and "1 task is already in your list" in text
    await confirm(user_client, preview)
    assert "Imported 1 task." in page_text(await user_client.get("/tasks"))

    again = await upload(user_client, export_of(first, second))
    assert "All of them are already in your list" in page_text(again)
    assert 'action="/settings/import/confirm"' not in again.text
    assert [t.title for t in await listed(session, user.id)] == ["Second", "First"]


async def test_a_confirmation_works_once(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    preview = await upload(user_client, export_of(task("Once")))
    assert (await confirm(user_client, preview)).status_code == 303
    replay = await confirm(user_client, preview)
    assert replay.status_code == 404 and "no longer waiting" in page_text(replay)
    assert len(await listed(session, user.id)) == 1


async def test_a_newer_preview_replaces_the_older_one(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    older = await upload(user_client, export_of(task("From the older file")))
    newer = await upload(user_client, export_of(task("From the newer file")))
    assert (await confirm(user_client, older)).status_code == 404
    assert (await confirm(user_client, newer)).status_code == 303
    assert [t.title for t in await listed(session, user.id)] == ["From the newer file"]


async def test_another_users_pending_import_is_a_404_and_imports_nothing(
    client: httpx.AsyncClient, session: AsyncSession, user: User, bob: User
) -> None:
    await log_in(client, session, user)
    preview = await upload(client, export_of(task("Alice's")))
    pending = form_fields(preview.text, CONFIRM)["pending"]
    await log_in(client, session, bob)
    for value in (pending, "0", "-1", "2147483648", "99999999999", "abc", "²", ""):
        response = await client.post(CONFIRM, data={"pending": value})
        assert response.status_code == 404, value
    assert await count(session, Task) == 0
    await log_in(client, session, user)  # still Alice's to confirm
    assert (await client.post(CONFIRM, data={"pending": pending})).status_code == 303
    assert [t.title for t in await listed(session, user.id)] == ["Alice's"]


async def test_an_expired_preview_is_a_404(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    preview = await upload(user_client, export_of(task("Too late")))
    await session.exec(update(PendingImport).values(created_at=func.now() - timedelta(hours=2)))
    await session.commit()
    assert (await confirm(user_client, preview)).status_code == 404
    assert await listed(session, user.id) == []


async def test_a_bad_task_refuses_the_whole_file_naming_its_index(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    file = export_of(task("Fine"), task("Also fine"), task("x" * 201), task("Fine too"))
    response = await upload(user_client, file)
    assert response.status_code == 422
    error = BeautifulSoup(response.text, "html.parser").find(role="alert").get_text()
    assert "index 2" in error and "title" in error and "Nothing was imported" in error
    assert await listed(session, user.id) == []
    assert await count(session, PendingImport) == 0


UID = "0b5f7c4e-6a0c-4d39-9b7e-2f7f1f6f8a10"
NASTY_FILES = {
    "not JSON": b"title,priority\nBuy milk,high\n",
    "empty": b"",
    "invalid UTF-8": b'{"format": "tasks-export", "title": "\xff\xfe"}',
    "a JSON list": b"[1, 2, 3]",
    "another format": b'{"format": "todoist", "version": 1, "tasks": []}',
    "no version": b'{"format": "tasks-export", "tasks": []}',
    "version 3": b'{"format": "tasks-export", "version": 3, "tasks": []}',
    "version true": b'{"format": "tasks-export", "version": true, "tasks": []}',
    "no tasks": export_of(),
    "tasks not a list": b'{"format": "tasks-export", "version": 1, "tasks": {"a": 1}}',
    "a task not an object": export_of(task("ok"), "just text"),  # type: ignore[arg-type]
    "no uid": export_of({"title": "no uid"}),
    "a bad uid": export_of({"uid": "not-a-uuid", "title": "x"}),
    "a repeated uid": export_of({"uid": UID, "title": "a"}, {"uid": UID, "title": "b"}),
    "a huge title": export_of(task("x" * 1_000_000)),
    "a blank title": export_of(task("   ")),
    "a long description": export_of(task("ok", description="d" * 1001)),
    "NUL": export_of(task("a\x00b")),
    "a lone surrogate": export_of(task("\ud800")),
    "NaN": b'{"format": "tasks-export", "version": 1, "tasks": [{"uid": "%s", "title": NaN}]}'
    % UID.encode(),
    "Infinity version": b'{"format": "tasks-export", "version": Infinity, "tasks": []}',
    "a huge number": b'{"format": "tasks-export", "version": 1' + b"0" * 5000 + b', "tasks": []}',
    "nested junk": b'{"format": "tasks-export", "version": 1, "tasks": '
    + b"[" * 10_000
    + b"]" * 10_000
    + b"}",
    "a bad priority": export_of(task("ok", priority="urgent")),
    "completed as text": export_of(task("ok", completed="yes")),
    "a naive time": export_of(task("ok", created_at="2026-01-01T09:00:00")),
    "a year out of range": export_of(task("ok", created_at="0001-01-01T00:00:00+05:00")),
    "a title that is a number": export_of(task(12345)),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", NASTY_FILES)
async def test_a_malformed_file_is_a_clear_4xx_and_writes_nothing(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User, name: str
) -> None:
    response = await upload(user_client, NASTY_FILES[name])
    assert response.status_code == 422, name
    alert = BeautifulSoup(response.text, "html.parser").find(role="alert")
    assert alert is not None and len(alert.get_text(strip=True)) > 20
    assert await count(session, PendingImport) == 0 and await count(session, Task) == 0


async def test_a_byte_order_mark_is_fine(user_client: httpx.AsyncClient) -> None:
    response = await upload(user_client, b"\xef\xbb\xbf" + export_of(task("From Windows")))
    assert response.status_code == 200 and "1 task will be added" in page_text(response)


async def test_no_file_is_a_400(user_client: httpx.AsyncClient, session: AsyncSession) -> None:
    assert (await user_client.post(PAGE, data={"file": "not a file"})).status_code == 400
    assert (await user_client.post(PAGE, data={})).status_code == 400
    two = [("file", ("a.json", export_of(task("a")))), ("file", ("b.json", export_of(task("b"))))]
    assert (await user_client.post(PAGE, files=two)).status_code == 400
    assert await count(session, PendingImport) == 0


async def test_the_csrf_token_may_come_in_the_multipart_form(
    user_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = user_client.headers.pop("X-CSRF-Token")
    refused = await upload(user_client, export_of(task("No token")))
    assert refused.status_code == 403
    assert await count(session, PendingImport) == 0
    # Without JavaScript the token is a field of the form itself, beside the file.
    preview = await upload(user_client, export_of(task("Plain form")), csrf_token=token)
    assert preview.status_code == 200
    fields = form_fields(preview.text, CONFIRM)
    assert (await user_client.post(CONFIRM, data={"pending": fields["pending"]})).status_code == 403
    assert (await user_client.post(CONFIRM, data=fields)).status_code == 303


async def test_import_needs_a_login(client: httpx.AsyncClient, session: AsyncSession) -> None:
    response = await upload(client, export_of(task("Anonymous")))
    assert response.status_code in (303, 403)
    assert await count(session, PendingImport) == 0


async def test_expired_previews_are_purged_at_the_next_login(
    client: httpx.AsyncClient, session: AsyncSession, user: User, bob: User
) -> None:
    await log_in(client, session, user)
    await upload(client, export_of(task("Stale")))
    await session.exec(update(PendingImport).values(created_at=func.now() - timedelta(hours=2)))
    await session.commit()
    await log_in(client, session, bob)
    await upload(client, export_of(task("Fresh")))
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token")
    login = await client.get("/login")
    data = form_fields(login.text, "/login") | {"email": bob.email, "password": PASSWORD}
    assert (await client.post("/login", data=data)).status_code == 303
    assert [p.user_id for p in (await session.exec(select(PendingImport))).scalars()] == [bob.id]


async def test_projects_labels_and_order_come_back_as_they_were(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User, bob: User
) -> None:
    from webapp.services.project_service import ProjectService

    alice_id, bob_id = user.id, bob.id
    home = await ProjectService(session).create_project(alice_id, "Home")
    service = TaskService(session)
    paint = await service.create_task(
        alice_id, TaskCreate(title="Paint", project_id=home.id, labels=["Weekend", "diy"])
    )
    await service.create_task(alice_id, TaskCreate(title="Milk", labels=["errands"]))
    await service.create_task(alice_id, TaskCreate(title="Sweep", project_id=home.id))
    await service.move_task(alice_id, paint.id, before=(await listed(session, alice_id))[0].id)
    await session.commit()  # the test's session is not in autocommit, as the app's is
    exported = (await user_client.get("/settings/export.json")).content

    async def shown(user_id: int) -> list[tuple]:
        projects = {p.id: p.name for p in await ProjectService(session).list_projects(user_id)}
        page = await service.list_tasks(user_id, sort=Sort.manual)
        return [
            (t.title, projects[t.project_id], sorted(t.labels, key=str.casefold))
            for t in page.tasks
        ]

    user_client.cookies.clear()
    await log_in(user_client, session, bob)
    await confirm(user_client, await upload(user_client, exported))
    assert (
        await shown(bob_id)
        == await shown(alice_id)
        == [
            ("Paint", "Home", ["diy", "Weekend"]),
            ("Sweep", "Home", []),
            ("Milk", "Inbox", ["errands"]),
        ]
    )
