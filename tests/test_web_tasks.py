"""The task list page and the htmx fragments each action answers with, read with BeautifulSoup."""

import re

import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed, log_in
from webapp.models import Task, User
from webapp.schemas import TaskCreate, TaskUpdate
from webapp.services.task_service import TaskService
from webapp.services.user_service import UserService
from webapp.web.task_views import PAGE_SIZE


def hx(current: str = "/tasks") -> dict[str, str]:
    """The headers htmx 4 sends for a request that swaps part of the page at `current`."""
    return {
        "HX-Request": "true",
        "HX-Request-Type": "partial",
        "HX-Current-URL": f"http://testserver{current}",
    }


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text(element: Tag | BeautifulSoup) -> str:
    return " ".join(element.get_text().split())


def rows(page: BeautifulSoup) -> list[Tag]:
    task_list = page.find("ul", attrs={"aria-label": "Tasks"})
    assert isinstance(task_list, Tag)
    return task_list.find_all("li", recursive=False)


def titles(page: BeautifulSoup) -> list[str]:
    return [text(li.select_one(".title")) for li in rows(page)]


def oob(page: BeautifulSoup, element_id: str) -> Tag:
    found = page.find(id=element_id, attrs={"hx-swap-oob": True})
    assert isinstance(found, Tag), f"no out-of-band #{element_id}"
    return found


def main_part(page: BeautifulSoup) -> list[Tag]:
    """The top-level elements htmx swaps into the target (everything not out of band)."""
    return [el for el in page.find_all(recursive=False) if not el.has_attr("hx-swap-oob")]


async def stored(session: AsyncSession, user: User, task_id: int) -> Task | None:
    """The task as the database has it now (the app changed it through its own session)."""
    query = select(Task).where(Task.id == task_id, Task.user_id == user.id)
    result = await session.exec(query.execution_options(populate_existing=True))
    return result.first()


async def add(session: AsyncSession, user: User, title: str, **fields: object) -> Task:
    return await TaskService(session).create_task(user.id, TaskCreate(title=title, **fields))


@pytest.fixture
async def bob(session: AsyncSession) -> User:
    return await UserService(session).create_user("bob@example.com", PASSWORD)


async def test_anonymous_visitor_is_sent_to_log_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/tasks?status=active")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/tasks")


async def test_list_page_shows_each_task_with_its_controls(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await add(session, user, "Older", description="some notes", priority="low")
    newest = await add(session, user, "Newest", priority="high")

    response = await user_client.get("/tasks")

    assert response.status_code == 200
    page = soup(response)
    assert titles(page) == ["Newest", "Older"]
    first = rows(page)[0]
    checkbox = first.find("input", type="checkbox")
    assert checkbox is not None and text(checkbox.find_parent("label")) == "Completed"
    assert first.find("form", action=f"/tasks/{newest.id}/toggle")
    assert first.find("form", action=f"/tasks/{newest.id}/delete").find("button", string="Delete")
    assert first.find("a", string="Edit")["href"].startswith(f"/tasks/{newest.id}/edit")
    assert "High" in text(first.select_one(".prio"))
    time = first.find("time")
    assert time["datetime"] == newest.created_at.isoformat(timespec="seconds")
    assert text(time) == "just now"
    assert "some notes" in text(rows(page)[1])
    new_task = page.find("label", string="New task")
    assert page.find("input", id=new_task["for"])["name"] == "title"
    assert page.find("input", id=page.find("label", string="Search")["for"])["name"] == "q"
    counter = page.find(id="counter")
    assert text(counter) == "2 items left" and counter["role"] == "status"
    assert page.find("button", string="Mark all complete")
    assert page.find("button", string="Clear completed") is None
    assert page.find("a", string="All")["aria-current"] == "page"
    assert not page.find("a", string="Active").has_attr("aria-current")


async def test_counter_says_one_item_and_completed_tasks_look_done(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await add(session, user, "Open")
    done = await add(session, user, "Done")
    await TaskService(session).update_task(user.id, done.id, TaskUpdate(completed=True))

    page = soup(await user_client.get("/tasks"))

    assert text(page.find(id="counter")) == "1 item left"
    done_row = page.find(id=f"task-{done.id}")
    assert "done" in done_row["class"]
    assert done_row.find("input", type="checkbox").has_attr("checked")
    assert page.find("button", string="Clear completed")


async def test_empty_list_says_what_to_do(user_client: httpx.AsyncClient) -> None:
    page = soup(await user_client.get("/tasks"))
    assert rows(page) == []
    assert "Type what needs doing in the box above" in text(page.select_one(".empty-state"))
    assert text(page.find(id="counter")) == "0 items left"


async def test_filters_and_search_are_query_parameters(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    service = TaskService(session)
    milk = await add(session, user, "Buy MILK", priority="high")
    await add(session, user, "Call Ann", description="about the milk order", priority="low")
    await add(session, user, "Write report", priority="high")
    await service.update_task(user.id, milk.id, TaskUpdate(completed=True))

    async def shown(url: str) -> list[str]:
        return titles(soup(await user_client.get(url)))

    assert await shown("/tasks?status=active") == ["Write report", "Call Ann"]
    assert await shown("/tasks?status=completed") == ["Buy MILK"]
    assert await shown("/tasks?priority=high") == ["Write report", "Buy MILK"]
    assert await shown("/tasks?q=milk") == ["Call Ann", "Buy MILK"]
    assert await shown("/tasks?q=milk&status=active&priority=low") == ["Call Ann"]
    assert await shown("/tasks?status=bogus&priority=urgent") == [
        "Write report",
        "Call Ann",
        "Buy MILK",
    ]
    page = soup(await user_client.get("/tasks?status=active&q=milk"))
    assert page.find("a", string="Active")["aria-current"] == "page"
    # The other filters keep the search, so the view changes one thing at a time.
    assert page.find("a", string="Completed")["href"] == "/tasks?status=completed&q=milk"
    assert page.find(id="search")["value"] == "milk"
    no_match = soup(await user_client.get("/tasks?q=zebra"))
    assert "No tasks match “zebra”" in text(no_match.select_one(".empty-state"))


async def test_htmx_filter_gets_the_list_fragment_and_restores_get_the_page(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await add(session, user, "One")

    response = await user_client.get("/tasks?status=active", headers=hx())

    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    assert "HX-Request-Type" in response.headers["vary"]
    fragment = soup(response)
    assert fragment.find("html") is None and fragment.find("h1") is None
    assert titles(fragment) == ["One"]
    assert oob(fragment, "filters").find("a", string="Active")["aria-current"] == "page"
    assert oob(fragment, "search-status")["value"] == "active"
    # The counter follows the view (its priority and search), so it comes along.
    assert text(oob(fragment, "counter")) == "1 item left"

    # Back/forward: htmx 4 re-requests the URL without HX-Request and wants a whole page.
    restore = {"HX-History-Restore-Request": "true", "HX-Request-Type": "full"}
    page = soup(await user_client.get("/tasks?status=active", headers=restore))
    assert page.find("html") is not None and titles(page) == ["One"]
    boosted = {"HX-Request": "true", "HX-Request-Type": "full"}
    assert soup(await user_client.get("/tasks", headers=boosted)).find("html") is not None


async def test_add_answers_with_fresh_form_new_row_and_counter(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await add(session, user, "Existing")

    response = await user_client.post(
        "/tasks",
        data={"title": "  Buy milk ", "description": "", "priority": "high"},
        headers=hx(),
    )

    assert response.status_code == 200
    fragment = soup(response)
    form = main_part(fragment)[0]
    assert form.name == "form" and form["id"] == "new-task"
    title_input = form.find(id="new-title")
    assert title_input["value"] == "" and title_input.has_attr("autofocus")
    new_row = fragment.find(attrs={"hx-swap-oob": "afterbegin:#task-list"})
    assert text(new_row.select_one(".title")) == "Buy milk"
    assert text(oob(fragment, "counter")) == "2 items left"
    assert oob(fragment, "bulk-actions").find("button", string="Mark all complete")
    assert "Task added." in text(oob(fragment, "toast"))
    stored = await listed(session, user.id)
    assert [t.title for t in stored] == ["Buy milk", "Existing"]
    assert stored[0].priority == "high" and stored[0].description is None


async def test_add_while_viewing_completed_does_not_insert_the_row(
    user_client: httpx.AsyncClient,
) -> None:
    response = await user_client.post(
        "/tasks", data={"title": "Fresh"}, headers=hx("/tasks?status=completed")
    )
    fragment = soup(response)
    assert fragment.find(attrs={"hx-swap-oob": "afterbegin:#task-list"}) is None
    assert text(oob(fragment, "counter")) == "1 item left"


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "This can't be empty."), ("   ", "This can't be empty."), ("x" * 201, "at most 200")],
)
async def test_add_rejects_a_bad_title_next_to_the_field_keeping_input(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User, title: str, message: str
) -> None:
    data = {"title": title, "description": "keep me", "priority": "low"}

    response = await user_client.post("/tasks", data=data, headers=hx())

    assert response.status_code == 422
    form = soup(response).find("form", id="new-task")
    title_input = form.find(id="new-title")
    assert title_input["aria-invalid"] == "true"
    error = form.find(id=title_input["aria-describedby"])
    assert message in text(error)
    assert title_input["value"] == title
    assert text(form.find("textarea")) == "keep me"
    assert form.find("option", selected=True)["value"] == "low"
    assert await listed(session, user.id) == []


async def test_add_rejects_bad_priority_and_long_description(
    user_client: httpx.AsyncClient,
) -> None:
    data = {"title": "ok", "description": "d" * 1001, "priority": "urgent"}
    response = await user_client.post("/tasks", data=data, headers=hx())
    assert response.status_code == 422
    form = soup(response)
    assert "at most 1000" in text(form.find(id="new-description-error"))
    assert "low" in text(form.find(id="new-priority-error"))
    assert form.find("details").has_attr("open")


async def test_toggle_answers_with_the_row_and_counter(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task = await add(session, user, "Flip me")

    response = await user_client.post(f"/tasks/{task.id}/toggle", headers=hx())

    fragment = soup(response)
    row = main_part(fragment)[0]
    assert row.name == "li" and row["id"] == f"task-{task.id}" and "done" in row["class"]
    assert row.find("input", type="checkbox").has_attr("checked")
    assert text(oob(fragment, "counter")) == "0 items left"
    assert oob(fragment, "bulk-actions").find("button", string="Clear completed")

    back = soup(await user_client.post(f"/tasks/{task.id}/toggle", headers=hx()))
    assert not main_part(back)[0].find("input", type="checkbox").has_attr("checked")
    assert text(oob(back, "counter")) == "1 item left"


async def test_toggle_leaves_a_view_it_no_longer_matches(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task = await add(session, user, "Leaves")

    response = await user_client.post(
        f"/tasks/{task.id}/toggle", headers=hx("/tasks?status=active")
    )

    fragment = soup(response)
    assert main_part(fragment) == []  # the row's swapEmpty removes it
    assert text(oob(fragment, "counter")) == "0 items left"


async def test_edit_opens_a_form_and_saving_answers_with_the_row(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task = await add(session, user, "Draft", description="old", priority="low")

    opened = await user_client.get(f"/tasks/{task.id}/edit", headers=hx())

    item = main_part(soup(opened))[0]
    assert item.name == "li" and item["id"] == f"task-{task.id}"
    form = item.find("form", action=f"/tasks/{task.id}")
    title = form.find(id=form.find("label", string="Title")["for"])
    assert title["value"] == "Draft" and title.has_attr("autofocus")
    assert text(form.find(id=form.find("label", string="Description")["for"])) == "old"
    priority = form.find(id=form.find("label", string="Priority")["for"])
    assert priority.find("option", selected=True)["value"] == "low"
    assert form.find("input", attrs={"name": "version"})["value"] == str(task.version)

    data = {"title": "Final", "description": "", "priority": "high", "version": task.version}
    saved = await user_client.post(f"/tasks/{task.id}", data=data, headers=hx())

    assert saved.status_code == 200
    row = main_part(soup(saved))[0]
    assert text(row.select_one(".title")) == "Final"
    assert row.find("a", string="Edit").has_attr("autofocus")  # focus returns to the row
    saved_task = await stored(session, user, task.id)
    assert (saved_task.title, saved_task.description, saved_task.priority) == (
        "Final",
        None,
        "high",
    )

    cancelled = await user_client.get(f"/tasks/{task.id}", headers=hx())
    assert main_part(soup(cancelled))[0].find("a", string="Edit").has_attr("autofocus")


async def test_saving_an_empty_title_is_an_error_not_a_delete(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task = await add(session, user, "Keep")

    response = await user_client.post(
        f"/tasks/{task.id}",
        data={"title": "  ", "description": "typed", "version": task.version},
        headers=hx(),
    )

    assert response.status_code == 422
    form = soup(response).find("form", class_="edit-form")
    title = form.find("input", attrs={"name": "title"})
    assert title["aria-invalid"] == "true"
    assert "can't be empty" in text(form.find(id=title["aria-describedby"]))
    assert text(form.find("textarea")) == "typed"
    assert form.find("input", attrs={"name": "version"})["value"] == str(task.version)
    assert (await stored(session, user, task.id)).title == "Keep"


async def test_update_accepts_any_subset_including_completed(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task = await add(session, user, "Partial", description="stays")
    response = await user_client.post(f"/tasks/{task.id}", data={"completed": "true"}, headers=hx())
    assert response.status_code == 200
    saved_task = await stored(session, user, task.id)
    assert saved_task.completed and saved_task.title == "Partial"
    assert saved_task.description == "stays"


async def test_a_stale_edit_shows_both_versions_and_lets_the_user_choose(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    service = TaskService(session)
    task = await add(session, user, "Original")
    opened_at = task.version
    await service.update_task(user.id, task.id, TaskUpdate(title="Changed in another tab"))

    mine = {"title": "Mine", "description": "my words", "priority": "high", "version": opened_at}
    response = await user_client.post(f"/tasks/{task.id}", data=mine, headers=hx())

    assert response.status_code == 409
    form = soup(response).find("form", class_="edit-form")
    assert "changed somewhere else" in text(form.select_one(".conflict"))
    assert "Changed in another tab" in text(form.select_one(".conflict"))
    assert form.find("input", attrs={"name": "title"})["value"] == "Mine"
    assert text(form.find("textarea")) == "my words"
    current = await stored(session, user, task.id)
    assert current.title == "Changed in another tab"
    version = form.find("input", attrs={"name": "version"})["value"]
    assert version == str(current.version)
    assert form.find("button", string="Save mine anyway")
    assert form.find("a", string="Keep theirs")

    again = await user_client.post(
        f"/tasks/{task.id}", data=mine | {"version": version}, headers=hx()
    )
    assert again.status_code == 200
    assert text(main_part(soup(again))[0].select_one(".title")) == "Mine"


async def test_delete_offers_undo_that_restores_the_task_as_it_was(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    service = TaskService(session)
    await add(session, user, "Older")
    task = await add(session, user, "Oops", description="notes", priority="high")
    await add(session, user, "Newer")
    await service.update_task(user.id, task.id, TaskUpdate(completed=True))

    response = await user_client.post(f"/tasks/{task.id}/delete", headers=hx())

    assert response.status_code == 200
    fragment = soup(response)
    assert main_part(fragment) == []
    assert text(oob(fragment, "counter")) == "2 items left"
    toast = oob(fragment, "toast")
    assert "Deleted “Oops”" in text(toast)
    undo = toast.find("form", action="/tasks/undo")
    assert undo.find("button", string="Undo")
    token = undo.find("input", attrs={"name": "token"})["value"]
    assert await stored(session, user, task.id) is None

    restored = await user_client.post("/tasks/undo", data={"token": token}, headers=hx())

    page = soup(restored)
    assert titles(page) == ["Newer", "Oops", "Older"]
    assert page.find(id=f"task-{task.id}").find("a", string="Edit").has_attr("autofocus")
    assert text(oob(page, "counter")) == "2 items left"
    back = await stored(session, user, task.id)
    assert (back.title, back.description, back.priority, back.completed) == (
        "Oops",
        "notes",
        "high",
        True,
    )

    twice = await user_client.post("/tasks/undo", data={"token": token}, headers=hx())
    assert "can no longer be undone" in text(oob(soup(twice), "toast"))
    assert len(await listed(session, user.id)) == 3


async def test_undo_tokens_work_only_for_their_owner(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User, bob: User
) -> None:
    task = await add(session, user, "Alice's")
    deleted = soup(await user_client.post(f"/tasks/{task.id}/delete", headers=hx()))
    token = deleted.find("input", attrs={"name": "token"})["value"]

    await log_in(user_client, session, bob)
    response = await user_client.post("/tasks/undo", data={"token": token}, headers=hx())
    assert "can no longer be undone" in text(soup(response))
    assert await listed(session, bob.id) == []
    assert await listed(session, user.id) == []
    forged = await user_client.post("/tasks/undo", data={"token": "x.y.z"}, headers=hx())
    assert forged.status_code == 200 and "can no longer" in forged.text


async def test_another_users_task_is_not_found(
    user_client: httpx.AsyncClient, session: AsyncSession, bob: User
) -> None:
    theirs = await add(session, bob, "Bob's secret")
    for method, url, data in [
        ("GET", f"/tasks/{theirs.id}/edit", None),
        ("GET", f"/tasks/{theirs.id}", None),
        ("POST", f"/tasks/{theirs.id}", {"title": "mine now"}),
        ("POST", f"/tasks/{theirs.id}/toggle", {}),
        ("POST", f"/tasks/{theirs.id}/delete", {}),
        ("POST", "/tasks/999999/toggle", {}),
        ("GET", "/tasks/999999/edit", None),
    ]:
        response = await user_client.request(method, url, data=data)
        assert response.status_code == 404, (method, url)
        assert "Bob's secret" not in response.text
    still = await stored(session, bob, theirs.id)
    assert still is not None and still.title == "Bob's secret" and not still.completed


async def test_mark_all_and_clear_completed_touch_only_the_users_tasks(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User, bob: User
) -> None:
    service = TaskService(session)
    await add(session, user, "a1")
    await add(session, user, "a2")
    bobs = await add(session, bob, "b1")
    bobs_done = await add(session, bob, "b2")
    await service.update_task(bob.id, bobs_done.id, TaskUpdate(completed=True))

    marked = soup(await user_client.post("/tasks/complete-all", headers=hx()))
    assert text(oob(marked, "counter")) == "0 items left"
    assert all("done" in li["class"] for li in rows(marked))
    assert "Marked 2 tasks complete." in text(oob(marked, "toast"))
    assert oob(marked, "bulk-actions").find("button", string="Mark all complete") is None

    cleared = soup(await user_client.post("/tasks/clear-completed", headers=hx()))
    assert rows(cleared) == []
    assert oob(cleared, "bulk-actions").find("button", string="Clear completed") is None
    assert await listed(session, user.id) == []
    bob_left = await listed(session, bob.id)
    assert {(t.id, t.completed) for t in bob_left} == {(bobs.id, False), (bobs_done.id, True)}


async def test_long_lists_load_in_keyset_pages(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    for i in range(PAGE_SIZE + 3):
        await add(session, user, f"task {i:03}")

    first = soup(await user_client.get("/tasks"))
    assert len(rows(first)) == PAGE_SIZE
    assert titles(first)[0] == f"task {PAGE_SIZE + 2:03}"
    more = first.find(id="load-more").find("a", string="Load more")
    href = more["href"]
    assert re.fullmatch(r"/tasks\?after=m-?\d+_\d+", href)  # (position, id) of the last row
    assert more["hx-get"] == href and "intersect once" in more["hx-trigger"]

    # A task added meanwhile does not shift the next page (keyset, not OFFSET).
    await add(session, user, "added meanwhile")
    page_two = soup(await user_client.get(href, headers=hx()))
    assert [text(li.select_one(".title")) for li in page_two.find_all("li")] == [
        "task 002",
        "task 001",
        "task 000",
    ]
    assert oob(page_two, "load-more").find("a") is None

    # Without JavaScript the link is an ordinary page.
    plain = soup(await user_client.get(href))
    assert titles(plain) == ["task 002", "task 001", "task 000"]


async def test_unsafe_requests_need_the_csrf_token(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    task = await add(session, user, "Guarded")
    del user_client.headers["X-CSRF-Token"]
    for url in ("/tasks", f"/tasks/{task.id}/toggle", f"/tasks/{task.id}/delete"):
        response = await user_client.post(url, data={"title": "x"})
        assert response.status_code == 403, url
    assert len(await listed(session, user.id)) == 1


@pytest.mark.parametrize(
    ("return_to", "expected"),
    [
        ("/tasks?status=active&q=milk", "/tasks?status=active&q=milk"),
        ("/tasks?priority=high&after=123-4", "/tasks?priority=high"),
        ("https://evil.example/tasks", "/tasks"),
        ("//evil.example/tasks", "/tasks"),
        ("/settings", "/tasks"),
        ("/tasks?status=<script>", "/tasks"),
    ],
)
async def test_redirects_go_back_to_a_same_site_list_view(
    user_client: httpx.AsyncClient,
    session: AsyncSession,
    user: User,
    return_to: str,
    expected: str,
) -> None:
    task = await add(session, user, "Round trip")
    response = await user_client.post(f"/tasks/{task.id}/toggle", data={"return_to": return_to})
    assert response.status_code == 303
    assert response.headers["location"] == expected


async def test_what_users_type_is_escaped_in_every_row(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    # The rows are rendered with autoescaping off (for speed): the texts are escaped by hand.
    nasty = '<script>alert("x")</script> & "quotes" \'too\''
    await TaskService(session).create_task(user.id, TaskCreate(title=nasty, description=nasty))
    for response in (
        await user_client.get("/tasks"),
        await user_client.get("/tasks", headers=hx()),
        await user_client.get("/tasks?q=%3Cscript", headers=hx("/tasks?q=%3Cscript")),
    ):
        assert "<script>alert" not in response.text
        assert text(soup(response).select_one("#task-list .title")) == nasty
        assert text(soup(response).select_one("#task-list .desc")) == nasty
