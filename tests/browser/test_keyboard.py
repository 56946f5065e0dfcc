"""A keyboard-only session on the task list: every action from the keys in the contract."""

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, Request, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.browser.test_tasks_browser import item, task_list
from tests.conftest import SECRET
from webapp.models import User
from webapp.schemas import TaskCreate, TaskUpdate
from webapp.services.session_service import SessionService
from webapp.services.task_service import TaskService
from webapp.services.user_service import UserService
from webapp.web import cookies

SHOTS = Path("/tmp/shots6")

EMAIL = "kim@example.com"
PASSWORD = "keys only, never the mouse"


def announcer(page: Page) -> Locator:
    return page.locator("#announcer")


def rows(page: Page) -> Locator:
    return task_list(page).get_by_role("listitem")


async def focused_text(page: Page) -> str:
    """What has focus, for messages; never <body> in this app after an action."""
    return await page.evaluate(
        "() => { const a = document.activeElement;"
        " return a === document.body ? '<body>' : a.tagName + ' ' + a.textContent.trim(); }"
    )


async def expect_row_focused(page: Page, title: str) -> None:
    await expect(item(page, title)).to_be_focused()


async def log_in_with_keys(page: Page, session: AsyncSession) -> None:
    await UserService(session).create_user(EMAIL, PASSWORD)
    await page.goto("/login")
    await expect(page.get_by_label("Email")).to_be_focused()
    await page.keyboard.type(EMAIL)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/tasks$"))
    # The address changes before the page has loaded its scripts; a person sees the page first.
    await page.wait_for_load_state()


async def test_a_whole_session_without_the_mouse(page: Page, session: AsyncSession) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    await log_in_with_keys(page, session)

    # n: New task; Enter adds and keeps focus there for the next one.
    await page.keyboard.press("n")
    new_task = page.get_by_label("New task")
    await expect(new_task).to_be_focused()
    for title in ("Buy milk", "Pay rent", "Call mum"):
        await page.keyboard.type(title)
        await page.keyboard.press("Enter")
        await expect(item(page, title)).to_be_visible()
        await expect(new_task).to_be_focused()
        await expect(new_task).to_have_value("")
    await expect(announcer(page)).to_have_text("Task added.")
    await expect(page.get_by_text("3 items left")).to_be_visible()

    # Escape leaves New task for the list; j/k and the arrows move, Home/End jump.
    await page.keyboard.press("Escape")
    await expect_row_focused(page, "Call mum")
    await page.keyboard.press("j")
    await expect_row_focused(page, "Pay rent")
    await page.keyboard.press("j")
    await expect_row_focused(page, "Buy milk")
    await page.keyboard.press("j")
    await expect_row_focused(page, "Buy milk")
    await page.keyboard.press("k")
    await expect_row_focused(page, "Pay rent")
    await page.keyboard.press("Home")
    await expect_row_focused(page, "Call mum")
    await page.keyboard.press("End")
    await expect_row_focused(page, "Buy milk")
    await page.keyboard.press("ArrowUp")
    await expect_row_focused(page, "Pay rent")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowUp")
    await expect_row_focused(page, "Pay rent")
    # The focused row is marked, not just focused.
    style = await item(page, "Pay rent").evaluate(
        "el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth]"
    )
    assert style == ["solid", "3px"]

    # Enter edits with the title selected; Enter saves and focus comes back to the row.
    await page.keyboard.press("Enter")
    edit = page.get_by_role("form", name="Edit task")
    await expect(edit.get_by_label("Title")).to_be_focused()
    await page.keyboard.type("Pay rent today")
    await page.keyboard.press("Enter")
    await expect_row_focused(page, "Pay rent today")
    await expect(announcer(page)).to_have_text("Task saved.")

    # e edits too; Escape cancels and restores the row as it was, focused.
    await page.keyboard.press("e")
    await expect(edit.get_by_label("Title")).to_be_focused()
    await page.keyboard.type("Not this")
    await page.keyboard.press("Escape")
    await expect(edit).to_have_count(0)
    await expect_row_focused(page, "Pay rent today")
    await expect(item(page, "Not this")).to_have_count(0)

    # x toggles; focus stays on the row.
    await page.keyboard.press("x")
    await expect(item(page, "Pay rent today")).to_have_class(re.compile(r"\bdone\b"))
    await expect(announcer(page)).to_have_text("Marked “Pay rent today” done.")
    await expect(page.get_by_text("2 items left")).to_be_visible()
    await expect_row_focused(page, "Pay rent today")

    # 1/2/3 set the priority of the focused task.
    await page.keyboard.press("1")
    await expect(item(page, "Pay rent today").locator(".prio")).to_have_text("Priority: High")
    await expect(announcer(page)).to_have_text("Priority set to high.")
    await expect_row_focused(page, "Pay rent today")
    await page.keyboard.press("3")
    await expect(item(page, "Pay rent today").locator(".prio")).to_have_text("Priority: Low")
    await page.keyboard.press("2")
    await expect(item(page, "Pay rent today").locator(".prio")).to_have_text("Priority: Medium")
    await expect_row_focused(page, "Pay rent today")

    # Delete: the next row takes focus; u brings the task back, focused.
    await page.keyboard.press("Delete")
    await expect(item(page, "Pay rent today")).to_have_count(0)
    await expect_row_focused(page, "Buy milk")
    await expect(announcer(page)).to_have_text(
        re.compile(r"^Deleted “.+”\. Undo available: press u\.$")
    )
    await page.keyboard.press("u")
    await expect(rows(page)).to_have_text(
        [re.compile("Call mum"), re.compile("Pay rent today"), re.compile("Buy milk")]
    )
    await expect_row_focused(page, "Pay rent today")
    await expect(item(page, "Pay rent today")).to_have_class(re.compile(r"\bdone\b"))

    # Deleting the last row moves focus up; z undoes as well.
    await page.keyboard.press("End")
    await page.keyboard.press("Delete")
    await expect(item(page, "Buy milk")).to_have_count(0)
    await expect_row_focused(page, "Pay rent today")
    await page.keyboard.press("z")
    await expect_row_focused(page, "Buy milk")

    # /: Search; typing filters; Escape leaves the field with the results kept.
    await page.keyboard.press("/")
    search = page.get_by_label("Search")
    await expect(search).to_be_focused()
    await page.keyboard.type("milk")
    await expect(rows(page)).to_have_text([re.compile("Buy milk")])
    await expect(page).to_have_url(re.compile(r"\?q=milk$"))
    await page.keyboard.press("Escape")
    await expect_row_focused(page, "Buy milk")
    await expect(search).to_have_value("milk")
    await page.keyboard.press("/")
    await page.keyboard.press("Backspace")
    await expect(rows(page)).to_have_count(3)
    await page.keyboard.press("Escape")
    await expect_row_focused(page, "Buy milk")

    # ?: the shortcuts dialog; Escape closes it and focus returns.
    await page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(dialog).to_be_visible()
    for words in ("New task", "Next task", "Undo the delete", "Show active tasks", "Search"):
        await expect(dialog.get_by_text(words, exact=True)).to_be_visible()
    await page.keyboard.press("j")  # keys do not reach the list behind the dialog
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect_row_focused(page, "Buy milk")

    # g c / g a / g t: the three views.
    await page.keyboard.press("g")
    await page.keyboard.press("c")
    await expect(page).to_have_url(re.compile(r"/tasks\?status=completed$"))
    await expect(rows(page)).to_have_text([re.compile("Pay rent today")])
    await expect(page.get_by_role("link", name="Completed")).to_have_attribute(
        "aria-current", "page"
    )
    assert await focused_text(page) != "<body>"
    await page.keyboard.press("g")
    await page.keyboard.press("a")
    await expect(page).to_have_url(re.compile(r"/tasks\?status=active$"))
    await expect(rows(page)).to_have_count(2)
    await page.keyboard.press("g")
    await page.keyboard.press("t")
    await expect(page).to_have_url(re.compile(r"/tasks$"))
    await expect(rows(page)).to_have_count(3)
    assert await focused_text(page) != "<body>"
    assert problems == []


async def test_keys_typed_into_fields_or_with_modifiers_are_not_shortcuts(
    page: Page, session: AsyncSession
) -> None:
    await log_in_with_keys(page, session)
    await page.keyboard.press("n")
    await page.keyboard.type("Fix the x/j?1 bug")
    await expect(page.get_by_label("New task")).to_have_value("Fix the x/j?1 bug")
    await page.keyboard.press("Enter")
    await expect(item(page, "Fix the x/j?1 bug")).to_be_visible()
    await expect(page.get_by_role("dialog")).to_have_count(0)

    posts: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", record)
    await page.keyboard.press("Escape")
    await expect_row_focused(page, "Fix the x/j?1 bug")
    for chord in ("Alt+x", "Control+Delete", "Meta+1"):
        await page.keyboard.press(chord)
    await expect_row_focused(page, "Fix the x/j?1 bug")
    # Then a real shortcut: only its request is sent.
    await page.keyboard.press("x")
    await expect(announcer(page)).to_have_text("Marked “Fix the x/j?1 bug” done.")
    assert [re.sub(r"^.*?/tasks", "/tasks", url) for url in posts] == [
        f"/tasks/{(await item(page, 'Fix').get_attribute('id')).removeprefix('task-')}/toggle"
    ]

    # A checkbox is pressed, not typed into: keys still work there.
    await item(page, "Fix").get_by_role("checkbox", name="Completed").focus()
    await page.keyboard.press("x")
    await expect(item(page, "Fix")).not_to_have_class(re.compile(r"\bdone\b"))


async def test_focus_lands_somewhere_sensible_after_every_swap(
    page: Page, session: AsyncSession
) -> None:
    await log_in_with_keys(page, session)
    await page.keyboard.press("n")
    # Typed straight on, without waiting for the first answer: two tasks, nothing lost.
    for title in ("One", "Two"):
        await page.keyboard.type(title)
        await page.keyboard.press("Enter")
    await expect(rows(page).locator(".title")).to_have_text(["Two", "One"])
    await expect(page.get_by_label("New task")).to_have_value("")
    await expect(page.get_by_text("2 items left")).to_be_visible()
    # A task completed while viewing Active leaves the list: its neighbour gets focus.
    await page.get_by_role("link", name="Active").click()
    await expect(page).to_have_url(re.compile(r"status=active$"))
    # The address may change a moment before the new list is in place.
    await expect(page.get_by_role("link", name="Active")).to_have_attribute("aria-current", "page")
    await page.keyboard.press("j")
    await expect_row_focused(page, "Two")
    await page.keyboard.press("x")
    await expect(item(page, "Two")).to_have_count(0)
    await expect_row_focused(page, "One")
    # The last one leaves too: nothing left to focus in the list, so New task.
    await page.keyboard.press("x")
    await expect(rows(page)).to_have_count(0)
    await expect(page.get_by_label("New task")).to_be_focused()

    # A validation error keeps focus in the field, which points at its message.
    await page.keyboard.press("Enter")
    new_task = page.get_by_label("New task")
    await expect(new_task).to_be_focused()
    await expect(new_task).to_have_attribute("aria-invalid", "true")
    message = page.locator(f"#{await new_task.get_attribute('aria-describedby')}")
    await expect(message).to_have_text("This can't be empty.")
    await expect(announcer(page)).to_have_text("Task not added. Title: This can't be empty.")

    # Mouse users: Delete by click moves focus to the next row, not <body>.
    await page.get_by_role("link", name="All", exact=True).click()
    await expect(rows(page)).to_have_count(2)
    await item(page, "Two").get_by_role("button", name="Delete").click()
    await expect_row_focused(page, "One")
    await page.get_by_role("button", name="Undo").click()
    await expect(item(page, "Two").get_by_role("link", name="Edit")).to_be_focused()


async def sign_in(context: BrowserContext, session: AsyncSession, user: User, base: str) -> None:
    """A session cookie for an existing user, signed as the live server signs them."""
    raw = await SessionService(session).create_session(user.id, "playwright")
    value = cookies.signer(SECRET, "session").sign(raw).decode()
    await context.add_cookies([{"name": "session", "value": value, "url": base}])


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_screenshots(
    browser: Browser, live_server: str, session: AsyncSession, clean_db, scheme: str
) -> None:
    """Saved for people to look at: the focused row and the ? dialog, and the phone view."""
    SHOTS.mkdir(exist_ok=True)
    user = await UserService(session).create_user(EMAIL, PASSWORD)
    service = TaskService(session)
    for title, description, priority, done in [
        ("Renew passport", "Photos first, then the form at the post office.", "high", False),
        ("Water the plants", None, "low", True),
        ("Book dentist appointment", None, "medium", False),
        ("Draft the quarterly report", "Numbers from Ann; charts from Q2.", "high", False),
        ("Buy milk", None, "medium", True),
    ]:
        task = await service.create_task(
            user.id, TaskCreate(title=title, description=description, priority=priority)
        )
        if done:
            await service.update_task(user.id, task.id, TaskUpdate(completed=True))

    for name, (width, height) in {"desktop": (1280, 800), "phone": (390, 844)}.items():
        phone = name == "phone"
        context = await browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            color_scheme=scheme,  # type: ignore[arg-type]
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
        )
        try:
            await sign_in(context, session, user, live_server)
            page = await context.new_page()
            await page.goto("/tasks")
            await expect(task_list(page).get_by_role("listitem")).to_have_count(5)
            if phone:
                await page.screenshot(path=SHOTS / f"phone-{scheme}.png")
                await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
                await page.screenshot(path=SHOTS / f"phone-{scheme}-scrolled.png")
                continue
            for key in ("j", "j", "j"):
                await page.keyboard.press(key)
            await expect(item(page, "Book dentist appointment")).to_be_focused()
            await page.screenshot(path=SHOTS / f"desktop-{scheme}-focused-row.png")
            await page.keyboard.press("?")
            await expect(page.get_by_role("dialog")).to_be_visible()
            await page.screenshot(path=SHOTS / f"desktop-{scheme}-shortcuts.png")
        finally:
            await context.close()
