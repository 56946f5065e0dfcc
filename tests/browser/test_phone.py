"""The task list on a phone: one thumb, touch only, a 390x844 screen (and 320 px wide)."""

import re

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.browser.test_tasks_browser import add, delete_task, item, log_in, open_task, task_list
from webapp.services.user_service import UserService

EMAIL = "tom@example.com"
PASSWORD = "thumbs up for touch screens"
MIN_TARGET = 44  # px, WCAG 2.5.5 and both platforms' guidelines

# Every control a thumb may aim at; a checkbox is hit through its (larger) label.
CONTROLS_JS = """
() => [...document.querySelectorAll(`a[href], button, select, textarea, summary, label.check,
    input:not([type=hidden]):not([type=checkbox])`)]
  .filter(el => el.checkVisibility() && !el.closest('.sr, .skip-link'))
  // A row's own Edit and Delete are tucked away (for screen readers) when a tap opens the row.
  .filter(el => !(el.closest('.task .actions')?.getBoundingClientRect().width <= 1))
  .map(el => {
    const r = el.getBoundingClientRect();
    return {what: el.outerHTML.slice(0, 90), width: r.width, height: r.height};
  })
"""


@pytest.fixture
async def phone(phone_context: BrowserContext) -> Page:
    return await phone_context.new_page()


def rows(page: Page):  # noqa: ANN201
    return task_list(page).get_by_role("listitem")


async def small_targets(page: Page) -> list[dict]:
    controls = await page.evaluate(CONTROLS_JS)
    assert controls, "no controls found"
    # Rounding of rem-based sizes may land a hair under 44.
    return [c for c in controls if c["width"] < MIN_TARGET - 0.5 or c["height"] < MIN_TARGET - 0.5]


async def test_main_flow_by_touch_alone(phone: Page, session: AsyncSession) -> None:
    await UserService(session).create_user(EMAIL, PASSWORD)
    await phone.goto("/login")
    await phone.get_by_label("Email").tap()
    await phone.get_by_label("Email").fill(EMAIL)
    await phone.get_by_label("Password").tap()
    await phone.get_by_label("Password").fill(PASSWORD)
    await phone.get_by_role("button", name="Log in").tap()
    await expect(phone).to_have_url(re.compile(r"/tasks$"))

    new_task = phone.get_by_label("New task")
    for title in ("Buy milk", "Pay rent", "Call mum"):
        await new_task.tap()
        await new_task.fill(title)
        await phone.get_by_role("button", name="Add", exact=True).tap()
        await expect(item(phone, title)).to_be_visible()
        await expect(new_task).to_have_value("")
    await expect(phone.get_by_text("3 items left")).to_be_visible()

    # Nothing hides behind hover: a row's checkbox is there to tap, and the row itself opens
    # the task (its Edit and Delete are in the opened form).
    for row in await rows(phone).all():
        await expect(row.locator("label.check")).to_be_visible()

    await item(phone, "Pay rent").locator("label.check").tap()
    await expect(item(phone, "Pay rent")).to_have_class(re.compile(r"\bdone\b"))
    await expect(phone.get_by_text("2 items left")).to_be_visible()

    await open_task(phone, "Call mum")
    edit = phone.get_by_role("form", name="Edit task")
    await edit.get_by_label("Title").fill("Call mum tonight")
    await edit.get_by_label("Priority").select_option("high")
    await edit.get_by_role("button", name="Save").tap()
    await expect(item(phone, "Call mum tonight")).to_contain_text("High")
    await open_task(phone, "Call mum tonight")
    await edit.get_by_label("Title").fill("Not this")
    await edit.get_by_role("link", name="Cancel").tap()
    await expect(edit).to_have_count(0)
    await expect(item(phone, "Call mum tonight")).to_be_visible()

    await delete_task(phone, "Buy milk")
    await expect(item(phone, "Buy milk")).to_have_count(0)
    await phone.get_by_role("button", name="Undo").tap()
    await expect(item(phone, "Buy milk")).to_be_visible()
    await expect(phone.get_by_text("2 items left")).to_be_visible()

    await phone.get_by_role("link", name="Active").tap()
    await expect(phone).to_have_url(re.compile(r"status=active$"))
    await expect(rows(phone)).to_have_count(2)
    await phone.get_by_label("Search").tap()
    await phone.get_by_label("Search").fill("mum")
    await expect(rows(phone)).to_have_text([re.compile("Call mum tonight")])
    await phone.get_by_role("link", name="All", exact=True).tap()
    await expect(rows(phone)).to_have_text([re.compile("Call mum tonight")])  # search kept


async def test_one_column_thumb_sized_and_new_task_in_reach(
    phone: Page, phone_context: BrowserContext, session: AsyncSession, live_server: str
) -> None:
    user = await log_in(phone_context, session, live_server)
    for i in range(12):
        await add(session, user, f"Errand {i}", description="Details that take a line or two.")
    await phone.goto("/tasks")
    await expect(rows(phone)).to_have_count(12)

    # One column: each row spans the list; the toolbar stacks.
    boxes = [await row.bounding_box() for row in await rows(phone).all()]
    list_box = await task_list(phone).bounding_box()
    assert list_box and list_box["width"] <= 390
    for box in boxes:
        assert box and abs(box["x"] - list_box["x"]) < 2
        assert abs(box["width"] - list_box["width"]) < 3
    filters = await phone.get_by_role("navigation", name="Filter tasks").bounding_box()
    search = await phone.get_by_label("Search").bounding_box()
    assert filters and search and search["y"] >= filters["y"] + filters["height"]

    small = await small_targets(phone)
    assert small == []
    await phone.get_by_text("More options").tap()
    new_form = phone.get_by_role("form", name="Add a task")
    await expect(new_form.get_by_label("Importance")).to_be_visible()
    await open_task(phone, "Errand 3")
    assert await small_targets(phone) == []

    # 16 px or more in every field, so iOS never zooms in on focus.
    sizes = await phone.evaluate(
        "() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".map(el => parseFloat(getComputedStyle(el).fontSize))"
    )
    assert sizes and min(sizes) >= 16

    # Far down the list, New task is still on screen, ready for a thumb.
    await phone.get_by_role("form", name="Edit task").get_by_role("link", name="Cancel").tap()
    await phone.get_by_text("More options").tap()
    await phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    await expect(item(phone, "Errand 0")).to_be_in_viewport()
    await expect(phone.get_by_label("New task")).to_be_in_viewport(ratio=1)
    await phone.get_by_label("New task").tap()
    await phone.get_by_label("New task").fill("Added from the bottom")
    await phone.get_by_role("button", name="Add", exact=True).tap()
    await expect(item(phone, "Added from the bottom")).to_be_visible()


@pytest.mark.parametrize("state", ["list", "more options", "edit", "undo"])
async def test_no_horizontal_scrolling_at_320px(
    browser: Browser, live_server: str, session: AsyncSession, clean_db, state: str
) -> None:
    context = await browser.new_context(
        base_url=live_server, viewport={"width": 320, "height": 640}, has_touch=True, is_mobile=True
    )
    try:
        user = await log_in(context, session, live_server)
        await add(session, user, "Supercalifragilisticexpialidocious" * 3, priority="high")
        await add(session, user, "A task with a description", description="word " * 60)
        page = await context.new_page()
        await page.goto("/tasks?q=a")
        await expect(task_list(page).get_by_role("listitem")).to_have_count(2)
        if state == "more options":
            await page.get_by_text("More options").tap()
        elif state == "edit":
            await open_task(page, "Supercali")
        elif state == "undo":
            await delete_task(page, "A task with")
            await expect(page.get_by_role("button", name="Undo")).to_be_visible()
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow == 0
    finally:
        await context.close()
