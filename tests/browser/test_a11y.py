"""Accessibility in a real browser: axe-core scans, Tab order, focus styles, names, JS weight."""

import gzip
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, CDPSession, Page, Request, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.browser.test_tasks_browser import add, item, log_in, task_list
from webapp.models import User
from webapp.schemas import TaskUpdate
from webapp.services.task_service import TaskService

BLOCKING = {"serious", "critical"}
JS_BUDGET = 40 * 1024  # bytes of gzip-compressed JavaScript per page

# What a person sees of the focused element: its box and its focus indicator.
FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return {
    what: el.outerHTML.slice(0, 100), top: r.top + scrollY, bottom: r.bottom + scrollY,
    left: r.left, outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
    shadow: s.boxShadow, column: el.closest("#sidebar") ? "sidebar" : "main",
  };
}
"""


async def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings, one readable line each.

    axe is injected with page.evaluate (DevTools), which the page's CSP does not govern,
    so the app's strict policy stays in force during the scan.
    """
    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


async def seed(session: AsyncSession, user: User) -> None:
    await add(session, user, "Renew passport", description="Photos first.", priority="high")
    done = await add(session, user, "Water the plants", priority="low")
    await add(session, user, "Book dentist")
    await TaskService(session).update_task(user.id, done, TaskUpdate(completed=True))


@pytest.fixture
async def user(context: BrowserContext, session: AsyncSession, live_server: str) -> User:
    return await log_in(context, session, live_server)


async def test_login_and_register_pages_pass_axe(page: Page) -> None:
    await page.goto("/login")
    assert await blocking_violations(page) == []
    await page.get_by_role("button", name="Log in").click()  # with an error shown
    await expect(page.get_by_role("alert")).to_be_visible()
    assert await blocking_violations(page) == []
    await page.goto("/register")
    assert await blocking_violations(page) == []


async def test_empty_list_passes_axe(page: Page, user: User) -> None:
    await page.goto("/tasks")
    await expect(page.get_by_text("No tasks yet")).to_be_visible()
    assert await blocking_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_list_with_tasks_an_edit_and_the_dialog_pass_axe(
    browser: Browser,
    live_server: str,
    session: AsyncSession,
    clean_db,
    scheme: str,
) -> None:
    context = await browser.new_context(
        base_url=live_server,
        viewport={"width": 1280, "height": 800},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    try:
        user = await log_in(context, session, live_server)
        await seed(session, user)
        page = await context.new_page()
        await page.goto("/tasks")
        await expect(task_list(page).get_by_role("listitem")).to_have_count(3)
        assert await blocking_violations(page) == []

        await item(page, "Renew passport").get_by_role("link", name="Edit").click()
        edit = page.get_by_role("form", name="Edit task")
        await edit.get_by_label("Title").fill("")
        await edit.get_by_role("button", name="Save").click()  # an edit showing its error
        await expect(edit.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
        assert await blocking_violations(page) == []

        await edit.get_by_role("link", name="Cancel").click()
        await item(page, "Book dentist").get_by_role("button", name="Delete").click()
        await expect(page.get_by_role("button", name="Undo")).to_be_visible()
        await page.get_by_text("More options").click()
        await page.keyboard.press("?")
        await expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
        assert await blocking_violations(page) == []
    finally:
        await context.close()


async def _focused_name(cdp: CDPSession) -> tuple[str, str]:
    """The accessible role and name of the focused element, as Chromium computes them."""
    found = await cdp.send("Runtime.evaluate", {"expression": "document.activeElement"})
    tree = await cdp.send(
        "Accessibility.getPartialAXTree",
        {"objectId": found["result"]["objectId"], "fetchRelatives": False},
    )
    node = tree["nodes"][0]
    return node.get("role", {}).get("value", ""), str(node.get("name", {}).get("value", "")).strip()


def _same_line(a: dict, b: dict) -> bool:
    return a["top"] < b["bottom"] and b["top"] < a["bottom"]


async def test_tab_order_follows_the_page_and_every_stop_is_named_and_visibly_focused(
    page: Page, context: BrowserContext, user: User, session: AsyncSession
) -> None:
    await seed(session, user)
    await page.goto("/tasks")
    await expect(task_list(page).get_by_role("listitem")).to_have_count(3)
    await page.evaluate("document.activeElement.blur()")  # start from the top of the page
    cdp = await context.new_cdp_session(page)

    stops: list[dict] = []
    for _ in range(60):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED_JS)
        if focused is None or (stops and focused["what"] == stops[0]["what"]):
            break
        focused["role"], focused["name"] = await _focused_name(cdp)
        stops.append(focused)

    names = [(s["role"], s["name"]) for s in stops]
    assert ("link", "Skip to content") in names
    assert ("textbox", "New task") in names
    assert ("checkbox", "Completed") in names
    assert ("button", "Clear completed") in names
    assert ("button", "Keyboard shortcuts") in names
    assert len(stops) >= 20

    unnamed = [s["what"] for s in stops if not s["name"]]
    assert unnamed == []
    # A visible indicator: an outline of 2px or more, or a ring drawn with box-shadow.
    invisible = [
        s["what"]
        for s in stops
        if not ((s["outline"] != "none" and s["outlineWidth"] >= 2) or s["shadow"] != "none")
    ]
    assert invisible == []
    # Reading order, column by column: the list first, then the sidebar (which follows the
    # list in the page, so a phone without JavaScript shows the list first too). Within a
    # column: on the same line left to right, otherwise further down.
    columns = [s["column"] for s in stops]
    assert columns == sorted(columns), "the sidebar's stops come after the list's"
    for before, after in zip(stops, stops[1:], strict=False):
        if before["column"] != after["column"]:
            continue
        if _same_line(before, after):
            assert after["left"] >= before["left"] - 1, (before["what"], after["what"])
        else:
            assert after["top"] >= before["top"], (before["what"], after["what"])


async def test_javascript_is_small_and_nothing_leaves_the_server(
    page: Page, user: User, session: AsyncSession, live_server: str
) -> None:
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    await seed(session, user)
    await page.goto("/tasks")
    await expect(task_list(page).get_by_role("listitem")).to_have_count(3)
    await page.keyboard.press("j")
    await page.keyboard.press("e")
    await expect(page.get_by_role("form", name="Edit task")).to_be_visible()
    await page.keyboard.press("Escape")
    await page.keyboard.press("?")
    await page.keyboard.press("Escape")
    await page.get_by_label("Search").fill("passport")
    await expect(task_list(page).get_by_role("listitem")).to_have_count(1)

    origin = urlsplit(live_server).netloc
    assert [r.url for r in requests if urlsplit(r.url).netloc != origin] == []

    scripts: dict[str, int] = {}
    for request in requests:
        if request.resource_type == "script":
            response = await request.response()
            assert response is not None and response.ok
            scripts[request.url] = len(gzip.compress(await response.body(), compresslevel=9))
    assert any(url.endswith("app.js") for url in scripts)
    total = sum(scripts.values())
    print(f"JavaScript, gzip -9: {total} bytes in {len(scripts)} files: {scripts}")
    assert total <= JS_BUDGET
