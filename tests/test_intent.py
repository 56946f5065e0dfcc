"""Intent kept, nothing lost: what the user saw is what an action does, in two tabs too."""

import httpx
from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed, log_in
from tests.forms import form_fields
from tests.test_web_tasks import hx, main_part, oob, soup, stored, text, titles
from webapp.models import User, UserSession
from webapp.schemas import TaskCreate
from webapp.services.task_service import TaskService


async def add(session: AsyncSession, user: User, title: str, done: bool = False) -> int:
    service = TaskService(session)
    task = await service.create_task(user.id, TaskCreate(title=title))
    if done:
        await service.set_completed(user.id, task.id, True)
    return task.id


async def test_bulk_actions_act_on_the_view_and_say_how_many(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    for title in ("Fix the bike", "Buy milk", "Buy bread"):
        await add(session, user, title)
    bike_view = "/tasks?q=bike"
    page = soup(await user_client.get(bike_view))
    assert page.find("button", string="Mark 1 complete")

    response = await user_client.post("/tasks/complete-all", headers=hx(bike_view))
    assert titles(soup(response)) == ["Fix the bike"]
    assert [t.completed for t in await listed(session, user.id)] == [False, False, True]
    toast = oob(soup(response), "toast")
    assert "Marked 1 task complete." in text(toast) and toast.find("button", string="Undo")

    await add(session, user, "Old and done", done=True)
    response = await user_client.post("/tasks/clear-completed", headers=hx(bike_view))
    # Only the bike is cleared: the other completed task is not in this view.
    assert [t.title for t in await listed(session, user.id)] == [
        "Old and done",
        "Buy bread",
        "Buy milk",
    ]
    token = oob(soup(response), "toast").find("input", attrs={"name": "token"})["value"]
    await user_client.post("/tasks/undo", data={"token": token}, headers=hx(bike_view))
    assert "Fix the bike" in [t.title for t in await listed(session, user.id)]


async def test_a_stale_checkbox_sends_the_state_it_showed(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task_id = await add(session, user, "Pay rent")
    stale_tab = (await user_client.get("/tasks")).text
    # The other tab completes it first.
    await user_client.post(f"/tasks/{task_id}/toggle", data={"completed": ["false", "true"]})
    # This tab still shows it open; its ticked checkbox sends "false" then "true".
    form = form_fields(stale_tab, f"/tasks/{task_id}/toggle")
    response = await user_client.post(
        f"/tasks/{task_id}/toggle", data={**form, "completed": ["false", "true"]}, headers=hx()
    )
    assert (await stored(session, user, task_id)).completed is True
    assert (
        "done" in response.headers["HX-Trigger"]
        and "not done" not in response.headers["HX-Trigger"]
    )
    # Unticking sends "false" alone, and the no-JS buttons send their own value last.
    await user_client.post(f"/tasks/{task_id}/toggle", data={"completed": "false"})
    assert (await stored(session, user, task_id)).completed is False
    await user_client.post(f"/tasks/{task_id}/toggle", data={"completed": ["false", "true"]})
    await user_client.post(f"/tasks/{task_id}/toggle", data={"completed": ["false", "true"]})
    assert (await stored(session, user, task_id)).completed is True


async def test_an_ended_session_keeps_what_was_typed(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await user_client.get("/tasks?status=active")
    # Logged out in another tab (or everywhere, or the password changed).
    await session.exec(delete(UserSession))
    await session.commit()
    current = hx("/tasks?status=active")
    response = await user_client.post(
        "/tasks", data={"title": "Typed just now", "priority": "high"}, headers=current
    )
    assert response.status_code == 401
    login_path = response.headers["HX-Redirect"]
    assert login_path == "/login?next=/tasks%3Fstatus%3Dactive"
    login = await user_client.get(login_path)
    assert "Typed just now" in login.text  # the login page says it is kept
    user_client.headers.pop("X-CSRF-Token")  # a plain form now, as the browser sends it

    data = form_fields(login.text, "/login") | {"email": user.email, "password": PASSWORD}
    back = await user_client.post("/login", data=data)
    assert back.status_code == 303 and back.headers["location"] == "/tasks?status=active"
    page = soup(await user_client.get(back.headers["location"]))
    assert page.find("input", id="new-title")["value"] == "Typed just now"
    assert page.find("select", id="new-priority").find("option", selected=True)["value"] == "high"
    # Shown once: it is not there again on the next visit.
    again = soup(await user_client.get("/tasks"))
    assert again.find("input", id="new-title")["value"] == ""


async def test_an_ended_session_keeps_an_edit_without_javascript(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task_id = await add(session, user, "Old words")
    await log_in(client, session, user)
    client.headers.pop("X-CSRF-Token")
    edit_page = await client.get(f"/tasks/{task_id}/edit")
    await session.exec(delete(UserSession))
    await session.commit()
    form = form_fields(edit_page.text, f"/tasks/{task_id}") | {"title": "New words"}
    response = await client.post(
        f"/tasks/{task_id}", data=form, headers={"Referer": "http://testserver/tasks"}
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/login?next=/tasks/{task_id}/edit")
    login = await client.get(response.headers["location"])
    data = form_fields(login.text, "/login") | {"email": user.email, "password": PASSWORD}
    back = await client.post("/login", data=data)
    edit = soup(await client.get(back.headers["location"]))
    assert edit.find("input", id=f"edit-title-{task_id}")["value"] == "New words"
    assert (await stored(session, user, task_id)).title == "Old words"  # not saved unasked


async def test_a_task_deleted_elsewhere_only_changes_its_row(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    keep = await add(session, user, "Still here")
    gone = await add(session, user, "Deleted in the other tab")
    await user_client.post(f"/tasks/{gone}/delete")
    for method, path in [
        ("POST", f"/tasks/{gone}/toggle"),
        ("GET", f"/tasks/{gone}/edit"),
        ("POST", f"/tasks/{gone}"),
    ]:
        response = await user_client.request(method, path, data={"title": "x"}, headers=hx())
        assert response.status_code == 404
        # No retarget to the whole page: the row alone says so.
        assert "HX-Retarget" not in response.headers
        row = main_part(soup(response))
        assert len(row) == 1 and row[0]["id"] == f"task-{gone}"
        assert "deleted elsewhere" in text(row[0])
    # Without JavaScript: the list comes back, with the same words, still a 404.
    plain = await user_client.post(f"/tasks/{gone}/toggle", data={"return_to": "/tasks"})
    assert plain.status_code == 404
    assert titles(soup(plain)) == ["Still here"] and "deleted elsewhere" in plain.text
    assert (await stored(session, user, keep)) is not None


async def test_an_old_undo_cannot_bring_back_an_old_version(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task_id = await add(session, user, "First version")

    async def delete_and_get_undo() -> str:
        response = await user_client.post(f"/tasks/{task_id}/delete", headers=hx())
        return oob(soup(response), "toast").find("input", attrs={"name": "token"})["value"]

    first_undo = await delete_and_get_undo()
    await user_client.post("/tasks/undo", data={"token": first_undo}, headers=hx())
    await user_client.post(f"/tasks/{task_id}", data={"title": "Second version"}, headers=hx())
    await delete_and_get_undo()
    replay = await user_client.post("/tasks/undo", data={"token": first_undo}, headers=hx())
    assert "can no longer be undone" in text(oob(soup(replay), "toast"))
    assert await listed(session, user.id) == []
