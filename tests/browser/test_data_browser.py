"""Your data in a real browser, JavaScript on and off: export, delete the account, register
again, import the file, and the list is as it was."""

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.test_a11y import blocking_violations

PASSWORD = "a sturdy browser passphrase"
TITLES = ["Water the plants", "Renew passport", "Book dentist"]


@pytest.fixture(params=["js", "no-js"])
async def any_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, clean_db
) -> AsyncIterator[Page]:
    context: BrowserContext = await browser.new_context(
        base_url=live_server,
        viewport={"width": 1280, "height": 800},
        java_script_enabled=request.param == "js",
        accept_downloads=True,
    )
    context.set_default_timeout(5000)
    yield await context.new_page()
    await context.close()


async def register(page: Page, email: str) -> None:
    await page.goto("/register")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page).to_have_url(re.compile(r"/tasks$"))


async def titles(page: Page) -> list[str]:
    return [t.strip() for t in await page.locator("#task-list [id^=title-]").all_inner_texts()]


async def test_export_delete_register_import_and_the_list_is_back(
    any_page: Page, tmp_path: Path
) -> None:
    page = any_page
    await register(page, "frank@example.com")
    for title in TITLES:
        await page.locator("#new-title").fill(title)
        await page.get_by_role("button", name="Add", exact=True).click()
        await expect(page.locator("#task-list").get_by_text(title, exact=True)).to_be_visible()
    before = await titles(page)
    assert sorted(before) == sorted(TITLES)

    await page.goto("/settings")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Export as JSON").click()
    saved = tmp_path / (await download.value).suggested_filename
    await (await download.value).save_as(saved)
    assert re.fullmatch(r"tasks-\d{4}-\d{2}-\d{2}\.json", saved.name)
    assert len(json.loads(saved.read_text())["tasks"]) == 3

    await page.get_by_label("Your password").fill(PASSWORD)
    await page.get_by_role("button", name="Delete my account and all my tasks").click()
    await expect(page).to_have_url(re.compile(r"/login\?notice=account-deleted$"))
    await expect(page.get_by_role("status")).to_have_text(
        "Your account and all its tasks have been deleted."
    )

    await register(page, "frank@example.com")
    assert await titles(page) == []
    await page.goto("/settings/import")
    await page.get_by_label("File to import").set_input_files(saved)
    await page.get_by_role("button", name="Preview import").click()
    await expect(page.get_by_text("3 tasks will be added.")).to_be_visible()
    await page.get_by_role("button", name="Import 3 tasks").click()
    await expect(page).to_have_url(re.compile(r"/tasks$"))
    await expect(page.get_by_text("Imported 3 tasks.").first).to_be_visible()
    assert await titles(page) == before


async def test_the_pages_pass_axe(page: Page, tmp_path: Path) -> None:
    await register(page, "grace@example.com")
    await page.goto("/settings")
    await page.get_by_role("button", name="Delete my account and all my tasks").click()
    await expect(page.get_by_text("Enter your password to delete your account.")).to_be_visible()
    assert await blocking_violations(page) == []
    await page.goto("/settings/import")
    assert await blocking_violations(page) == []
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "tasks-export", "version": 1, "tasks": [{"title": "no uid"}]}')
    await page.get_by_label("File to import").set_input_files(bad)
    await page.get_by_role("button", name="Preview import").click()
    await expect(page.get_by_role("alert")).to_contain_text("index 0")
    assert await blocking_violations(page) == []
    good = tmp_path / "good.json"
    task = {"uid": "0b5f7c4e-6a0c-4d39-9b7e-2f7f1f6f8a10", "title": "From a file"}
    good.write_text(json.dumps({"format": "tasks-export", "version": 1, "tasks": [task]}))
    await page.get_by_label("File to import").set_input_files(good)
    await page.get_by_role("button", name="Preview import").click()
    await expect(page.get_by_text("1 task will be added.")).to_be_visible()
    assert await blocking_violations(page) == []
