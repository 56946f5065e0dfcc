"""The app shell as its users meet it: the sidebar and dense rows at desktop and phone
sizes (screenshots kept in test-artifacts/), reordering by keyboard and by drag, the project
picker, and the same work done without JavaScript."""

import re
from datetime import date, timedelta

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_a11y import blocking_violations
from tests.browser.test_tasks_browser import add, item, log_in, sized_context, task_list
from webapp.models import User
from webapp.services.project_service import ProjectService


def rows(page: Page):  # noqa: ANN201
    return task_list(page).get_by_role("listitem")


def sidebar(page: Page):  # noqa: ANN201
    return page.get_by_role("navigation", name="Projects")


async def titles(page: Page) -> list[str]:
    return [t.strip() for t in await rows(page).locator(".title").all_inner_texts()]


async def seed(session: AsyncSession, user: User, count: int) -> dict[str, int]:
    projects = ProjectService(session)
    work = await projects.create_project(user.id, "Work")
    home = await projects.create_project(user.id, "Home")
    for i in range(count):
        project = (work.id, home.id, None)[i % 3]
        labels = ["errand"] if i % 4 == 0 else []
        await add(session, user, f"Task number {i}", project_id=project, labels=labels)
    return {"Work": work.id, "Home": home.id}


async def visible_rows_below_add_form(page: Page) -> int:
    """Rows wholly on screen under the New task form, as a user sees them without scrolling."""
    return await page.evaluate(
        """() => {
      const form = document.querySelector('form[aria-label="Add a task"]').getBoundingClientRect();
      return [...document.querySelectorAll('#task-list > li')].filter(li => {
        const r = li.getBoundingClientRect();
        return r.top >= form.bottom && r.bottom <= innerHeight;
      }).length;
    }"""
    )


@pytest.mark.parametrize(
    ("name", "viewport", "at_least"),
    [("desktop", {"width": 1280, "height": 800}, 10), ("phone", {"width": 390, "height": 844}, 6)],
)
async def test_the_shell_fits_the_screen_in_light_and_dark(
    browser: Browser,
    live_server: str,
    session: AsyncSession,
    clean_db: None,
    name: str,
    viewport: dict,
    at_least: int,
) -> None:
    phone = name == "phone"
    context = await sized_context(browser, live_server, name, viewport)
    try:
        user = await log_in(context, session, live_server)
        await seed(session, user, 15)
        await add(session, user, "Pay rent", due_date=date.today() + timedelta(days=3))
        page = await context.new_page()
        await page.goto("/tasks")
        await expect(rows(page)).to_have_count(16)
        assert await visible_rows_below_add_form(page) >= at_least
        # Dense, yet the due date shows (on a phone too: only the created time gives way).
        await expect(item(page, "Pay rent").locator(".due")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=ARTIFACTS / f"shell-{name}.png")
        assert await blocking_violations(page) == []

        nav = sidebar(page)
        inbox = nav.get_by_role("link", name=re.compile("^Inbox"))
        if phone:
            # The list takes the screen; the sidebar is a drawer behind Menu.
            await expect(inbox).to_be_hidden()
            await page.get_by_role("button", name="Menu").tap()
            await expect(inbox).to_be_visible()
            await page.screenshot(path=ARTIFACTS / f"shell-{name}-menu.png")
            assert await blocking_violations(page) == []
            await nav.get_by_role("link", name=re.compile("^Work")).tap()
            await expect(inbox).to_be_hidden()
        else:
            await expect(inbox).to_be_visible()
            await nav.get_by_role("link", name=re.compile("^Work")).click()
        await expect(page).to_have_url(re.compile(r"project=\d+"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Work")
        await expect(rows(page)).to_have_count(5)
        current = page.locator("#sidebar a[aria-current=page] .nav-name")  # the drawer may be shut
        await expect(current).to_have_text("Work")

        await context.add_cookies([{"name": "theme", "value": "dark", "url": live_server}])
        await page.goto("/tasks")
        await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        await page.screenshot(path=ARTIFACTS / f"shell-{name}-dark.png")
        assert await blocking_violations(page) == []
    finally:
        await context.close()


async def test_alt_arrows_reorder_the_focused_task_and_the_order_survives_a_reload(
    page: Page, context: BrowserContext, session: AsyncSession, live_server: str
) -> None:
    user = await log_in(context, session, live_server)
    for title in ("Third", "Second", "First"):  # new tasks go on top
        await add(session, user, title)
    await page.goto("/tasks")
    assert await titles(page) == ["First", "Second", "Third"]
    await page.keyboard.press("j")
    await expect(item(page, "First")).to_be_focused()

    await page.keyboard.press("Alt+ArrowDown")
    await expect(rows(page).locator(".title")).to_have_text(["Second", "First", "Third"])
    await expect(item(page, "First")).to_be_focused()
    await expect(page.locator("#announcer")).to_contain_text("Moved “First” down")
    await page.keyboard.press("Alt+ArrowDown")
    await expect(rows(page).locator(".title")).to_have_text(["Second", "Third", "First"])
    # As a user does, the next press comes once the moved row has its focus back (the
    # swap gives it back when it settles; a key pressed before that goes to the page).
    await expect(item(page, "First")).to_be_focused()
    await page.keyboard.press("Alt+ArrowDown")
    await expect(page.locator("#announcer")).to_contain_text("Already last")

    await page.reload()
    await expect(rows(page).locator(".title")).to_have_text(["Second", "Third", "First"])


async def drag(page: Page, source, target, *, below: bool = True) -> None:  # noqa: ANN001
    """Press on `source`, move in steps (as a hand does) to `target`, release."""
    start = await source.bounding_box()
    end = await target.bounding_box()
    assert start and end
    await page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    await page.mouse.down()
    y = end["y"] + end["height"] * (0.8 if below else 0.2)
    await page.mouse.move(end["x"] + end["width"] / 2, y, steps=12)
    await page.mouse.up()


async def test_dragging_by_the_handle_reorders_and_onto_a_project_moves(
    page: Page, context: BrowserContext, session: AsyncSession, live_server: str
) -> None:
    user = await log_in(context, session, live_server)
    projects = await seed(session, user, 0)
    for title in ("Gamma", "Beta", "Alpha"):
        await add(session, user, title)
    await page.goto("/tasks")
    assert await titles(page) == ["Alpha", "Beta", "Gamma"]

    await drag(page, item(page, "Alpha").locator(".handle"), item(page, "Gamma"))
    await expect(rows(page).locator(".title")).to_have_text(["Beta", "Gamma", "Alpha"])
    await page.reload()
    await expect(rows(page).locator(".title")).to_have_text(["Beta", "Gamma", "Alpha"])

    # Dragging the text, not the handle, starts nothing (a phone must scroll freely).
    await drag(page, item(page, "Beta").locator(".title"), item(page, "Alpha"))
    await page.reload()
    await expect(rows(page).locator(".title")).to_have_text(["Beta", "Gamma", "Alpha"])

    work = sidebar(page).get_by_role("link", name=re.compile("^Work"))
    await drag(page, item(page, "Gamma").locator(".handle"), work, below=False)
    await expect(work).to_contain_text("1")
    await page.goto(f"/tasks?project={projects['Work']}")
    await expect(rows(page).locator(".title")).to_have_text(["Gamma"])


async def test_the_picker_moves_the_focused_task_and_g_p_goes_to_a_project(
    page: Page, context: BrowserContext, session: AsyncSession, live_server: str
) -> None:
    user = await log_in(context, session, live_server)
    projects = await seed(session, user, 0)
    await add(session, user, "Write the report")
    await add(session, user, "Buy stamps")
    inbox_link = sidebar(page).get_by_role("link", name=re.compile("^Inbox"))
    await page.goto("/tasks")
    await inbox_link.click()
    await expect(rows(page)).to_have_count(2)

    await page.keyboard.press("j")
    await expect(item(page, "Buy stamps")).to_be_focused()
    await page.keyboard.press("m")
    picker = page.get_by_role("dialog", name="Move to project")
    await expect(picker).to_be_visible()
    assert await blocking_violations(page) == []
    await page.keyboard.type("wo")
    await expect(picker.get_by_role("option")).to_have_text(["Work"])
    await page.keyboard.press("Enter")
    await expect(picker).to_be_hidden()
    await expect(item(page, "Buy stamps")).to_have_count(0)  # it left the Inbox
    await expect(item(page, "Write the report")).to_be_focused()

    await page.keyboard.press("g")
    await page.keyboard.press("p")
    picker = page.get_by_role("dialog", name="Go to project")
    await expect(picker).to_be_visible()
    await page.keyboard.type("work")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(rf"project={projects['Work']}$"))
    await expect(rows(page).locator(".title")).to_have_text(["Buy stamps"])

    await page.keyboard.press("g")
    await page.keyboard.press("i")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")

    # The pages that manage them pass axe too.
    for path in ("/projects", "/labels", f"/projects/{projects['Work']}/delete"):
        await page.goto(path)
        assert await blocking_violations(page) == [], path


@pytest.fixture
async def nojs(browser: Browser, live_server: str, clean_db: None) -> BrowserContext:
    context = await browser.new_context(
        base_url=live_server, java_script_enabled=False, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(5000)
    yield context
    await context.close()


async def test_without_javascript_create_label_move_and_reorder(
    nojs: BrowserContext, session: AsyncSession, live_server: str
) -> None:
    user = await log_in(nojs, session, live_server)
    projects = await seed(session, user, 0)
    page = await nojs.new_page()
    await page.goto("/tasks")
    new = page.get_by_role("form", name="Add a task")
    for title in ("Older", "Newer"):
        if not await new.get_by_label("Project").is_visible():
            await new.get_by_text("More options").click()
        await new.get_by_label("New task").fill(title)
        await new.get_by_label("Project").select_option(label="Work")
        await new.get_by_label("Labels").fill("errand, Post office")
        await new.get_by_role("button", name="Add", exact=True).click()
        await expect(item(page, title)).to_be_visible()
    row = item(page, "Newer")
    await expect(row.get_by_role("link", name="errand")).to_be_visible()
    await expect(row.get_by_role("link", name="Post office")).to_be_visible()

    # Labels are links to their view.
    await row.get_by_role("link", name="Post office").click()
    await expect(page).to_have_url(re.compile(r"label=Post(\+|%20)office"))
    await expect(rows(page)).to_have_count(2)

    # Reorder from the edit page, one step at a time.
    await page.goto(f"/tasks?project={projects['Work']}")
    assert await titles(page) == ["Newer", "Older"]
    await item(page, "Newer").get_by_role("link", name="Edit").click()
    await page.get_by_role("button", name="Move down").click()
    await expect(page.get_by_role("status").filter(has_text="Moved")).to_be_visible()
    await page.goto(f"/tasks?project={projects['Work']}")
    assert await titles(page) == ["Older", "Newer"]

    # Move to another project and change the labels from the same form.
    await item(page, "Older").get_by_role("link", name="Edit").click()
    form = page.get_by_role("form", name="Edit task")
    await form.get_by_label("Project").select_option(label="Home")
    await form.get_by_label("Labels").fill("errand")
    await form.get_by_role("button", name="Save").click()
    await page.goto(f"/tasks?project={projects['Home']}")
    assert await titles(page) == ["Older"]
    await expect(item(page, "Older").get_by_role("link", name="Post office")).to_have_count(0)
    await expect(sidebar(page).get_by_role("link", name=re.compile("^Work"))).to_contain_text("1")
