"""The list page and every fragment issue a fixed number of SQL statements, however many
tasks there are (no query per row)."""

from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import listed
from webapp.db import counting_round_trips
from webapp.models import Task, User
from webapp.schemas import TaskCreate, TaskUpdate
from webapp.services.task_service import TaskService

HX = {
    "HX-Request": "true",
    "HX-Request-Type": "partial",
    "HX-Current-URL": "http://testserver/tasks",
}


def counting_statements(app: FastAPI):  # noqa: ANN201
    return counting_round_trips(app.state.engine)


async def make_tasks(session: AsyncSession, user: User, count: int) -> list[Task]:
    service = TaskService(session)
    tasks = []
    for i in range(count):
        task = await service.create_task(
            user.id, TaskCreate(title=f"task {i}", description="words " * i, priority="high")
        )
        if i % 3 == 1:
            await service.update_task(user.id, task.id, TaskUpdate(completed=True))
        tasks.append(task)
    return tasks


Request = Callable[[httpx.AsyncClient, Task], Awaitable[httpx.Response]]

REQUESTS: dict[str, Request] = {
    "page": lambda c, t: c.get("/tasks"),
    "filtered page": lambda c, t: c.get("/tasks?status=active&priority=high&q=task"),
    "list fragment": lambda c, t: c.get("/tasks?status=completed", headers=HX),
    "edit fragment": lambda c, t: c.get(f"/tasks/{t.id}/edit", headers=HX),
    "edit page": lambda c, t: c.get(f"/tasks/{t.id}/edit"),
    "row fragment": lambda c, t: c.get(f"/tasks/{t.id}", headers=HX),
    "create": lambda c, t: c.post("/tasks", data={"title": "new"}, headers=HX),
    "create invalid": lambda c, t: c.post("/tasks", data={"title": ""}, headers=HX),
    "create no-js": lambda c, t: c.post("/tasks", data={"title": "new"}),
    "update": lambda c, t: c.post(f"/tasks/{t.id}", data={"title": "renamed"}, headers=HX),
    "toggle": lambda c, t: c.post(f"/tasks/{t.id}/toggle", headers=HX),
    "delete": lambda c, t: c.post(f"/tasks/{t.id}/delete", headers=HX),
    "complete all": lambda c, t: c.post("/tasks/complete-all", headers=HX),
    "clear completed": lambda c, t: c.post("/tasks/clear-completed", headers=HX),
}


# At most three round trips for the page and for any action with its fragment: the
# session, the page or the change, and the overview (counts, projects, labels).
# A bulk change answers with the whole list again: the session, the change, the page and
# the overview.
LIMITS = {"complete all": 4, "clear completed": 4}


@pytest.mark.parametrize("name", list(REQUESTS))
async def test_statement_count_does_not_grow_with_the_list(
    name: str, app: FastAPI, user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    request = REQUESTS[name]
    counts = []
    # Two tasks at least, one active and one completed: every bulk action has work to do.
    for total in (2, 30):
        existing = len(await listed(session, user.id))
        tasks = await make_tasks(session, user, total - existing)
        with counting_statements(app) as statements:
            response = await request(user_client, tasks[-1])
        assert response.status_code < 500, response.text
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{name}: {counts[0]} statements for 2 tasks, {counts[1]} for 30"
    assert 1 <= counts[0] <= LIMITS.get(name, 3), (name, counts)


async def test_load_more_statement_count_is_fixed(
    app: FastAPI, user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await make_tasks(session, user, 60)
    first = await user_client.get("/tasks")
    href = first.text.split('hx-get="/tasks?after=')[1].split('"')[0]
    with counting_statements(app) as statements:
        response = await user_client.get(f"/tasks?after={href}", headers=HX)
    assert response.status_code == 200 and response.text.count("<li ") == 10
    with counting_statements(app) as page_statements:
        await user_client.get("/tasks", headers=HX)
    # The next page needs no counts: no more statements than the first.
    assert len(statements) <= len(page_statements)
