"""Browser tests: the real app (`live_server`, in tests/conftest.py) driven by Debian's chromium.

Set REQUIRE_BROWSER=1 (CI does) to make a missing chromium an error rather than a skip.
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from webapp.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        await browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


async def _new_context(
    browser: Browser, live_server: str, request: pytest.FixtureRequest, **options: object
) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(5000)
    yield context
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, page in enumerate(context.pages):
            name = f"{request.node.name}-{i}.png".replace("/", "_")
            await page.screenshot(path=ARTIFACTS / name, full_page=True)
    await context.close()


@pytest.fixture
async def context(
    browser: Browser, live_server: str, clean_db, request: pytest.FixtureRequest
) -> AsyncIterator[BrowserContext]:
    """A desktop browser context (1280x800); a screenshot is saved when the test fails."""
    async for ctx in _new_context(
        browser, live_server, request, viewport={"width": 1280, "height": 800}
    ):
        yield ctx


@pytest.fixture
async def phone_context(
    browser: Browser, live_server: str, clean_db, request: pytest.FixtureRequest
) -> AsyncIterator[BrowserContext]:
    """A phone-sized touch context (390x844)."""
    async for ctx in _new_context(
        browser,
        live_server,
        request,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    ):
        yield ctx


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()
