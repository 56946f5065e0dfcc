"""The task list in headless chromium: add, edit, toggle, delete + undo, filters and history."""

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, SECRET
from webapp.models import User
from webapp.schemas import TaskCreate, TaskUpdate
from webapp.services.session_service import SessionService
from webapp.services.task_service import TaskService
from webapp.services.user_service import UserService
from webapp.web import cookies
from webapp.web.task_views import PAGE_SIZE

SHOTS = Path("/tmp/shots")


async def log_in(context: BrowserContext, session: AsyncSession, live_server: str) -> User:
    """A user and a session cookie signed as the live server signs them (no login form)."""
    user = await UserService(session).create_user("alice@example.com", PASSWORD)
    raw = await SessionService(session).create_session(user.id, "playwright")
    value = cookies.signer(SECRET, "session").sign(raw).decode()
    await context.add_cookies([{"name": "session", "value": value, "url": live_server}])
    return user


@pytest.fixture
async def user(context: BrowserContext, session: AsyncSession, live_server: str) -> User:
    return await log_in(context, session, live_server)


async def add(session: AsyncSession, user: User, title: str, **fields: object) -> int:
    task = await TaskService(session).create_task(user.id, TaskCreate(title=title, **fields))
    assert task.id is not None
    return task.id


def task_list(page: Page):  # noqa: ANN201
    return page.get_by_role("list", name="Tasks")


def item(page: Page, title: str):  # noqa: ANN201
    return task_list(page).get_by_role("listitem").filter(has_text=title)


async def sized_context(browser: Browser, live_server: str, name: str, viewport: dict):  # noqa: ANN201
    """A context of `viewport`: a touch phone when `name` is "phone", else a desktop."""
    phone = name == "phone"
    context = await browser.new_context(
        base_url=live_server, viewport=viewport, is_mobile=phone, has_touch=phone
    )
    context.set_default_timeout(5000)
    return context


PHONE_WIDTH = 760  # the shell's breakpoint: below it a row opens by a tap on its text


def is_phone(page: Page) -> bool:
    return bool(page.viewport_size and page.viewport_size["width"] <= PHONE_WIDTH)


async def open_task(page: Page, title: str) -> None:
    """Open a row's edit form as its user would: Edit on a desktop, a tap on it on a phone."""
    if is_phone(page):
        await item(page, title).locator(".title").tap()
    else:
        await item(page, title).get_by_role("link", name="Edit").click()
    await expect(edit_form(page)).to_be_visible()


async def delete_task(page: Page, title: str) -> None:
    """Delete a row: its Delete button on a desktop; on a phone, from the opened task."""
    if is_phone(page):
        await open_task(page, title)
        await edit_form(page).locator("xpath=..").get_by_role("button", name="Delete task").tap()
    else:
        await item(page, title).get_by_role("button", name="Delete").click()


def edit_form(page: Page):  # noqa: ANN201
    """The open inline edit (the new-task form has Description and Priority fields too)."""
    return page.get_by_role("form", name="Edit task")


async def test_enter_adds_a_task_on_top_and_keeps_focus(page: Page, user: User) -> None:
    await page.goto("/tasks")
    new_task = page.get_by_label("New task")

    await new_task.fill("Buy milk")
    await new_task.press("Enter")

    await expect(item(page, "Buy milk")).to_be_visible()
    await expect(page.get_by_text("1 item left")).to_be_visible()
    await expect(new_task).to_have_value("")
    await expect(new_task).to_be_focused()

    await page.keyboard.type("Pay rent")
    await page.keyboard.press("Enter")
    await expect(task_list(page).get_by_role("listitem")).to_have_count(2)
    await expect(task_list(page).get_by_role("listitem").first).to_contain_text("Pay rent")
    await expect(page.get_by_text("2 items left")).to_be_visible()
    await expect(new_task).to_be_focused()

    await page.keyboard.type("   ")
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("This can't be empty.")).to_be_visible()
    await expect(new_task).to_have_attribute("aria-invalid", "true")
    await expect(task_list(page).get_by_role("listitem")).to_have_count(2)


async def test_edit_saves_with_enter_and_escape_restores_row_and_focus(
    page: Page, user: User, session: AsyncSession
) -> None:
    await add(session, user, "Draft", description="first notes")
    await page.goto("/tasks")

    await item(page, "Draft").get_by_role("link", name="Edit").click()
    title = edit_form(page).get_by_label("Title")
    await expect(title).to_be_focused()
    selected = await title.evaluate("el => [el.selectionStart, el.selectionEnd, el.value.length]")
    assert selected == [0, 5, 5]
    await expect(edit_form(page).get_by_label("Description")).to_have_value("first notes")
    await expect(edit_form(page).get_by_label("Priority")).to_have_value("medium")

    await page.keyboard.type("Final")
    await page.keyboard.press("Enter")
    row = item(page, "Final")
    await expect(row).to_be_visible()
    await expect(row.get_by_role("link", name="Edit")).to_be_focused()

    await row.get_by_role("link", name="Edit").press("Enter")
    await expect(page.get_by_label("Title")).to_be_focused()
    await page.keyboard.type("Not this")
    await page.keyboard.press("Escape")
    await expect(page.get_by_label("Title")).to_have_count(0)
    await expect(item(page, "Final").get_by_role("link", name="Edit")).to_be_focused()
    await expect(item(page, "Not this")).to_have_count(0)

    # Double-click on the title opens the editor too; an empty title is refused in place.
    await item(page, "Final").locator(".title").dblclick()
    await page.get_by_label("Title").fill("")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("This can't be empty.")).to_be_visible()
    await page.get_by_role("link", name="Cancel").click()
    await expect(item(page, "Final")).to_be_visible()


async def test_toggle_updates_counter_and_leaves_a_filtered_view(
    page: Page, user: User, session: AsyncSession
) -> None:
    await add(session, user, "First")
    await add(session, user, "Second")
    await page.goto("/tasks")
    await expect(page.get_by_role("button", name="Clear completed")).to_have_count(0)

    await item(page, "Second").get_by_role("checkbox", name="Completed").check()

    await expect(item(page, "Second")).to_have_class(re.compile(r"\bdone\b"))
    await expect(page.get_by_text("1 item left")).to_be_visible()
    await expect(page.get_by_role("button", name="Clear completed")).to_be_visible()

    await page.get_by_role("link", name="Active").click()
    await expect(page).to_have_url(re.compile(r"/tasks\?status=active$"))
    await expect(item(page, "Second")).to_have_count(0)
    await item(page, "First").get_by_role("checkbox", name="Completed").check()
    await expect(item(page, "First")).to_have_count(0)
    await expect(page.get_by_text("0 items left")).to_be_visible()
    await expect(page.get_by_text("Nothing left to do")).to_be_visible()
    # Bulk actions act on the view shown: Active shows no completed task to clear.
    await expect(page.get_by_role("button", name="Clear completed")).to_have_count(0)

    await page.get_by_role("link", name="All", exact=True).click()
    await page.get_by_role("button", name="Clear completed").click()
    await expect(task_list(page).get_by_role("listitem")).to_have_count(0)
    await expect(page.get_by_text("No tasks yet")).to_be_visible()


async def test_delete_then_undo_restores_the_task(
    page: Page, user: User, session: AsyncSession
) -> None:
    await add(session, user, "Older")
    await add(session, user, "Doomed", priority="high")
    await add(session, user, "Newer")
    await page.goto("/tasks")

    await item(page, "Doomed").get_by_role("button", name="Delete").click()

    await expect(item(page, "Doomed")).to_have_count(0)
    await expect(page.get_by_text("2 items left")).to_be_visible()
    await page.get_by_role("button", name="Undo").click()
    await expect(task_list(page).get_by_role("listitem")).to_have_text(
        [re.compile("Newer"), re.compile("Doomed"), re.compile("Older")]
    )
    await expect(item(page, "Doomed")).to_contain_text("High")
    await expect(page.get_by_text("3 items left")).to_be_visible()
    await expect(item(page, "Doomed").get_by_role("link", name="Edit")).to_be_focused()


async def test_filters_search_back_button_and_reload_keep_the_view(
    page: Page, user: User, session: AsyncSession
) -> None:
    done = await add(session, user, "Done thing")
    await add(session, user, "Open thing")
    await add(session, user, "Open errand")
    await TaskService(session).update_task(user.id, done, TaskUpdate(completed=True))
    await page.goto("/tasks")

    await page.get_by_role("link", name="Active").click()
    await expect(page).to_have_url(re.compile(r"\?status=active$"))
    await expect(task_list(page).get_by_role("listitem")).to_have_count(2)
    await expect(page.get_by_role("link", name="Active")).to_have_attribute("aria-current", "page")

    await page.get_by_role("link", name="Completed").click()
    await expect(page).to_have_url(re.compile(r"\?status=completed$"))
    await expect(task_list(page).get_by_role("listitem")).to_have_text([re.compile("Done thing")])

    await page.go_back()
    await expect(page).to_have_url(re.compile(r"\?status=active$"))
    await expect(task_list(page).get_by_role("listitem")).to_have_count(2)
    await expect(page.get_by_role("link", name="Active")).to_have_attribute("aria-current", "page")

    await page.get_by_label("Search").fill("errand")
    await expect(page).to_have_url(re.compile(r"status=active&q=errand$"))
    await expect(task_list(page).get_by_role("listitem")).to_have_text([re.compile("Open errand")])

    await page.reload()
    await expect(page.get_by_label("Search")).to_have_value("errand")
    await expect(task_list(page).get_by_role("listitem")).to_have_text([re.compile("Open errand")])
    await expect(page.get_by_role("link", name="Active")).to_have_attribute("aria-current", "page")

    await page.get_by_label("Search").fill("")
    await page.get_by_role("link", name="All", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/tasks$"))
    await expect(task_list(page).get_by_role("listitem")).to_have_count(3)
    await expect(page).to_have_title("Tasks")


async def test_a_finished_search_is_a_step_back_can_return_from(
    page: Page, user: User, session: AsyncSession
) -> None:
    await add(session, user, "Fix the bike")
    await add(session, user, "Buy milk")
    await page.goto("/tasks?status=active")
    await expect(page).to_have_title("Active tasks · Tasks")
    search = page.get_by_label("Search")
    await search.fill("bike")
    await search.press("Enter")
    await expect(page).to_have_url(re.compile(r"status=active&q=bike$"))
    await expect(page).to_have_title("Active tasks matching “bike” · Tasks")
    await expect(task_list(page).get_by_role("listitem")).to_have_count(1)
    # Back leaves the search for the view before it, and the tab says which view it is.
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"\?status=active$"))
    await expect(task_list(page).get_by_role("listitem")).to_have_count(2)
    await expect(page).to_have_title("Active tasks · Tasks")


async def test_long_lists_load_more_as_you_scroll(
    page: Page, user: User, session: AsyncSession
) -> None:
    for i in range(PAGE_SIZE + 5):
        await add(session, user, f"Task number {i}")
    await page.goto("/tasks")
    await expect(task_list(page).get_by_role("listitem")).to_have_count(PAGE_SIZE)

    await page.get_by_role("link", name="Load more").scroll_into_view_if_needed()

    await expect(task_list(page).get_by_role("listitem")).to_have_count(PAGE_SIZE + 5)
    await expect(page.get_by_role("link", name="Load more")).to_have_count(0)


async def test_mark_all_complete(page: Page, user: User, session: AsyncSession) -> None:
    await add(session, user, "One")
    await add(session, user, "Two")
    await page.goto("/tasks")
    await page.get_by_role("button", name="Mark all complete").click()
    await expect(page.get_by_text("0 items left")).to_be_visible()
    for box in await page.get_by_role("checkbox", name="Completed").all():
        await expect(box).to_be_checked()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_screenshots(
    browser: Browser, live_server: str, session: AsyncSession, clean_db, scheme: str
) -> None:
    """Saved for people to look at: desktop and phone, light and dark."""
    SHOTS.mkdir(exist_ok=True)
    sizes = {"desktop": (1280, 800), "phone": (390, 844)}
    user: User | None = None
    for name, (width, height) in sizes.items():
        context = await browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            color_scheme=scheme,  # type: ignore[arg-type]
            device_scale_factor=1 if name == "desktop" else 2,
            is_mobile=name == "phone",
            has_touch=name == "phone",
        )
        try:
            if user is None:
                user = await log_in(context, session, live_server)
                service = TaskService(session)
                specs = [
                    ("Renew passport", "Photos first, then the form at the post office.", "high"),
                    ("Water the plants", None, "low"),
                    ("Book dentist appointment", None, "medium"),
                    ("Draft the quarterly report", "Numbers from Ann; charts from Q2.", "high"),
                    ("Buy milk", None, "medium"),
                ]
                for title, description, priority in specs:
                    task = await service.create_task(
                        user.id,
                        TaskCreate(title=title, description=description, priority=priority),
                    )
                    if title in ("Water the plants", "Buy milk"):
                        await service.update_task(user.id, task.id, TaskUpdate(completed=True))
            else:
                raw = await SessionService(session).create_session(user.id, "playwright")
                value = cookies.signer(SECRET, "session").sign(raw).decode()
                await context.add_cookies([{"name": "session", "value": value, "url": live_server}])
            page = await context.new_page()
            await page.goto("/tasks")
            await expect(task_list(page).get_by_role("listitem")).to_have_count(5)
            await page.screenshot(path=SHOTS / f"tasks-{name}-{scheme}.png", full_page=True)
            await open_task(page, "Renew passport")
            await expect(page.get_by_label("Title")).to_be_focused()
            await page.screenshot(path=SHOTS / f"tasks-{name}-{scheme}-editing.png")
            await page.keyboard.press("Escape")
            await delete_task(page, "Buy milk")
            await expect(page.get_by_role("button", name="Undo")).to_be_visible()
            await page.screenshot(path=SHOTS / f"tasks-{name}-{scheme}-undo.png")
            await page.get_by_role("button", name="Undo").click()
            await expect(item(page, "Buy milk")).to_be_visible()
        finally:
            await context.close()


async def test_no_horizontal_scrolling_at_320px(
    browser: Browser, live_server: str, session: AsyncSession, clean_db
) -> None:
    context = await browser.new_context(
        base_url=live_server, viewport={"width": 320, "height": 640}, has_touch=True
    )
    try:
        user = await log_in(context, session, live_server)
        await add(session, user, "A rather long task title that has to wrap " * 3)
        page = await context.new_page()
        await page.goto("/tasks")
        await open_task(page, "A rather long")
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow == 0
    finally:
        await context.close()


async def test_contract_names_are_unambiguous_on_the_whole_page(
    page: Page, user: User, session: AsyncSession
) -> None:
    """Outside tests use the contract's names page-wide, without scoping to a form."""
    await add(session, user, "Write report", description="draft", priority="high")
    await page.goto("/tasks")
    await item(page, "Write report").get_by_role("link", name="Edit").click()

    await expect(page.get_by_label("Title")).to_be_focused()
    await expect(page.get_by_label("Title")).to_have_value("Write report")
    await expect(page.get_by_label("Description")).to_have_value("draft")
    await expect(page.get_by_label("Priority")).to_have_value("high")
    await expect(page.get_by_label("New task")).to_have_count(1)
    await expect(page.get_by_label("Search")).to_have_count(1)
