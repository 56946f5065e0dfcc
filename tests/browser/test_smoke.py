"""The browser harness itself: chromium reaches the live app."""

from playwright.async_api import Page


async def test_anonymous_visitor_is_sent_to_login(page: Page) -> None:
    response = await page.goto("/")
    assert response is not None
    assert "/login" in page.url
