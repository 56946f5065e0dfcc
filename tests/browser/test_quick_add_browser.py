"""Quick add in the New task field as people type it: the preview's chips and title, the
keyboard (Tab reaches the chips, Backspace at the start keeps the last one as text), Enter
creating exactly what the preview showed, and a repeating task moving on when done; on a
desktop and on a phone."""

import re

import pytest
from playwright.async_api import Browser, Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.browser.test_tasks_browser import item, log_in, sized_context, task_list


def preview(page: Page):  # noqa: ANN201
    return page.locator("#quick-preview")


def chips(page: Page):  # noqa: ANN201
    return preview(page).get_by_role("listitem")


async def type_task(page: Page, text: str) -> None:
    await page.keyboard.type(text)
    await expect(preview(page)).not_to_be_empty()


@pytest.mark.parametrize(
    ("name", "viewport"),
    [("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})],
)
async def test_the_preview_shows_what_enter_creates(
    browser: Browser,
    live_server: str,
    session: AsyncSession,
    clean_db: None,
    name: str,
    viewport: dict,
) -> None:
    phone = name == "phone"
    context = await sized_context(browser, live_server, name, viewport)
    try:
        await log_in(context, session, live_server)
        page = await context.new_page()
        await page.goto("/tasks")
        await page.keyboard.press("n")
        new_task = page.get_by_label("New task")
        await expect(new_task).to_be_focused()

        await type_task(page, "Pay rent every last friday p1")
        await expect(chips(page)).to_have_count(2)
        await expect(chips(page).nth(0)).to_contain_text("every last friday")
        await expect(chips(page).nth(1)).to_contain_text("p1")
        await expect(preview(page).locator(".quick-title")).to_contain_text("→ Pay rent")
        await expect(preview(page)).to_contain_text("every month on the last Friday")
        await expect(preview(page)).to_be_in_viewport()

        # Tab reaches the chips (after Add); Shift+Tab comes back.
        await page.keyboard.press("Tab")
        await page.keyboard.press("Tab")
        focused = page.locator(":focus")
        await expect(focused).to_have_accessible_name("Keep “every last friday” as text")
        await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Shift+Tab")
        await expect(new_task).to_be_focused()

        # Backspace with nothing before the caret keeps the last part (p1) as text.
        await page.keyboard.press("Home")
        await page.keyboard.press("Backspace")
        await expect(chips(page)).to_have_count(1)
        await expect(preview(page).locator(".quick-title")).to_contain_text("→ Pay rent p1")
        await expect(new_task).to_be_focused()
        await expect(new_task).to_have_value("Pay rent every last friday p1")  # nothing deleted

        await page.keyboard.press("Enter")
        row = item(page, "Pay rent p1")
        await expect(row).to_be_visible()
        await expect(row).to_contain_text("every month on the last Friday")
        await expect(row.locator(".prio")).to_have_text("Priority: Medium")  # p1 stayed text
        await expect(new_task).to_have_value("")
        await expect(preview(page)).to_be_empty()

        # A chip's × does the same by tap or click; quoted text is never read.
        await type_task(page, 'Read "Next Friday" tomorrow')
        await expect(chips(page)).to_have_count(1)
        await expect(preview(page).locator(".quick-title")).to_contain_text('→ Read "Next Friday"')
        await page.keyboard.press("Enter")
        await expect(item(page, 'Read "Next Friday"')).to_contain_text("Due Tomorrow")

        await type_task(page, "Buy milk tomorrow 5pm")
        keep = page.get_by_role("button", name="Keep “tomorrow” as text")
        await (keep.tap() if phone else keep.click())
        await expect(preview(page).locator(".quick-title")).to_contain_text("→ Buy milk tomorrow")
        await expect(new_task).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(item(page, "Buy milk tomorrow")).to_contain_text("17:00")

        # Words that only look like dates stay in the title.
        await page.keyboard.type("Read The 5th Wave")
        await page.keyboard.press("Enter")
        await expect(item(page, "Read The 5th Wave")).not_to_contain_text("Due")

        # Done on a repeating task: it moves on to its next occurrence instead.
        row = item(page, "Pay rent p1")
        due_before = await row.locator(".due").inner_text()
        await row.locator("label.check").click()
        await expect(page.locator("#announcer")).to_contain_text("Next due")
        await expect(row).not_to_have_class(re.compile(r"\bdone\b"))
        await expect(row.locator(".due")).not_to_have_text(due_before)
        await expect(task_list(page).get_by_role("listitem")).to_have_count(4)
    finally:
        await context.close()
