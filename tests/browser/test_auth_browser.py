"""Register, log out and log in again in a real browser, under the real CSP."""

import re

from playwright.async_api import BrowserContext, Page, expect

EMAIL = "dora@example.com"
PASSWORD = "a sturdy browser passphrase"


def watch_csp(page: Page) -> list[str]:
    """Collects every CSP violation the browser reports on the console."""
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


async def test_register_log_out_and_log_in_again(page: Page) -> None:
    violations = watch_csp(page)
    await page.goto("/register")
    await page.get_by_label("Email").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page).to_have_url(re.compile(r"/tasks$"))

    await page.goto("/settings")
    await expect(page.get_by_text(EMAIL)).to_be_visible()
    await expect(page.get_by_text("This device")).to_be_visible()

    await page.get_by_role("button", name="Log out", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/login$"))

    # Back must not show the previous page's private content from a cache.
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"/login\?next=/settings$"))
    await expect(page.get_by_text(EMAIL)).to_have_count(0)

    await page.get_by_label("Email").fill(EMAIL.upper())
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(re.compile(r"/settings$"))
    await expect(page.get_by_text(EMAIL)).to_be_visible()
    assert violations == []


async def test_wrong_password_keeps_the_email_and_says_why(
    page: Page, context: BrowserContext
) -> None:
    await page.goto("/register")
    await page.get_by_label("Email").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page).to_have_url(re.compile(r"/tasks$"))
    await context.clear_cookies()

    await page.goto("/login")
    await page.get_by_label("Email").fill(EMAIL)
    await page.get_by_label("Password").fill("not the passphrase")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_have_text("Invalid email or password.")
    await expect(page.get_by_label("Email")).to_have_value(EMAIL)
    await expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
