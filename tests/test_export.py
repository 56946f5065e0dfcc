"""Settings → Export: exactly the user's tasks, every field, as JSON and CSV, streamed."""

import asyncio
import csv
import io
import json
import re

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed
from webapp.db import counting_round_trips
from webapp.models import User
from webapp.models.base import utcnow
from webapp.schemas import TaskCreate, TaskUpdate
from webapp.services.session_service import SessionService
from webapp.services.task_export import BATCH_SIZE, FIELDS
from webapp.services.task_service import TaskService
from webapp.services.user_service import UserService
from webapp.web import cookies


async def seed(session: AsyncSession, user: User, bob: User) -> None:
    tasks = TaskService(session)
    await tasks.create_task(user.id, TaskCreate(title="Plain"))
    rich = await tasks.create_task(
        user.id,
        TaskCreate(title="Renew “passport”, soon", description="One\nline, two", priority="high"),
    )
    await tasks.update_task(user.id, rich.id, TaskUpdate(completed=True))
    await tasks.create_task(user.id, TaskCreate(title="=1+1 & <b>", priority="low"))
    await tasks.create_task(
        user.id,
        TaskCreate(title="Bins out", due_date="2026-12-24", recurrence="FREQ=WEEKLY;BYDAY=TH"),
    )
    await tasks.create_task(user.id, TaskCreate(title="Call", due_at="2026-12-24T17:30:00+01:00"))
    await tasks.create_task(bob.id, TaskCreate(title="Bob's secret"))


def expected(task) -> dict:  # noqa: ANN001
    return {
        "uid": str(task.uid),
        "title": task.title,
        "description": task.description,
        "priority": task.priority,
        "completed": task.completed,
        "project": "Inbox",  # where these tests' tasks are
        "labels": sorted(task.labels, key=str.casefold),
        "position": task.position,
        "created_at": task.created_at.isoformat(),
        "updated_at": task.updated_at.isoformat(),
        "due_date": task.due_date and task.due_date.isoformat(),
        "due_at": task.due_at and task.due_at.isoformat(),
        "recurrence": task.recurrence,
        "repeat_from": task.repeat_from,
    }


async def oldest_first(session: AsyncSession, user: User) -> list[dict]:
    return [expected(task) for task in reversed(await listed(session, user.id))]


async def test_json_export_has_exactly_the_users_tasks_with_every_field(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    await seed(session, user, bob)
    response = await user_client.get("/settings/export.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    today = utcnow().strftime("%Y-%m-%d")
    assert response.headers["content-disposition"] == f'attachment; filename="tasks-{today}.json"'
    assert "no-store" in response.headers["cache-control"]
    document = response.json()
    assert (document["format"], document["version"]) == ("tasks-export", 2)
    assert document["exported_at"].startswith(today)
    assert document["tasks"] == await oldest_first(session, user)
    assert all(tuple(task) == FIELDS for task in document["tasks"])
    assert "Bob's secret" not in response.text


async def test_csv_export_has_a_header_and_the_same_fields(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    await seed(session, user, bob)
    response = await user_client.get("/settings/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="tasks-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["content-disposition"],
    )
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert tuple(rows[0]) == FIELDS
    want = await oldest_first(session, user)
    for task in want:
        task["description"] = task["description"] or ""
        task["completed"] = "true" if task["completed"] else "false"
        task["labels"] = ", ".join(task["labels"])
        task["position"] = str(task["position"])
        for name in ("due_date", "due_at", "recurrence", "repeat_from"):
            task[name] = task[name] or ""
    assert [dict(zip(FIELDS, row, strict=True)) for row in rows[1:]] == want
    assert "Bob's secret" not in response.text


async def test_an_empty_account_exports_an_empty_list(user_client: httpx.AsyncClient) -> None:
    assert (await user_client.get("/settings/export.json")).json()["tasks"] == []
    assert (await user_client.get("/settings/export.csv")).text.strip() == ",".join(FIELDS)


async def test_export_needs_a_login(client: httpx.AsyncClient) -> None:
    for path in ("/settings/export.json", "/settings/export.csv"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"


async def _stream(app: FastAPI, path: str, cookie: str) -> list[tuple[bytes, int]]:
    """Call the app as a server would, and note each body chunk with the number of task
    batches read from the database by the time it was sent."""
    chunks: list[tuple[bytes, int]] = []
    requested = False
    never = asyncio.Event()

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await never.wait()  # the client stays connected
        return {"type": "http.disconnect"}

    with counting_round_trips(app.state.engine) as sent:

        async def send(message: dict) -> None:
            if message["type"] == "http.response.body":
                batches = [sql for sql in sent if "ORDER BY tasks.created_at, tasks.id" in sql]
                chunks.append((message.get("body", b""), len(batches)))

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        await app(scope, receive, send)
    return chunks


async def test_a_large_export_is_streamed_in_batches(
    app: FastAPI, session: AsyncSession, user: User
) -> None:
    total = 5 * BATCH_SIZE + 17
    await session.exec(
        text(
            "INSERT INTO tasks (user_id, project_id, position, title, created_at, updated_at) "
            "SELECT :user_id, (SELECT id FROM projects WHERE user_id = :user_id AND is_inbox), "
            "n, 'Task ' || n, now() - n * interval '1 second', now() "
            "FROM generate_series(1, :total) AS n"
        ).bindparams(user_id=user.id, total=total)
    )
    await session.commit()
    raw = await SessionService(session).create_session(user.id, "pytest")
    cookie = "session=" + cookies.signer(app.state.secret_key, "session").sign(raw).decode()

    for path in ("/settings/export.json", "/settings/export.csv"):
        chunks = await _stream(app, path, cookie)
        body = b"".join(chunk for chunk, _ in chunks)
        if path.endswith(".json"):
            assert len(json.loads(body)["tasks"]) == total
        else:
            assert body.count(b"\r\n") == total + 1  # and the header row
        with_tasks = [(chunk, batches) for chunk, batches in chunks if b"Task " in chunk]
        # One chunk per batch of at most BATCH_SIZE tasks...
        assert len(with_tasks) == 6
        assert all(chunk.count(b"Task ") <= BATCH_SIZE for chunk, _ in with_tasks)
        # ...each sent before the next batch was read: never the whole list in memory.
        assert [batches for _, batches in with_tasks] == [1, 2, 3, 4, 5, 6]
