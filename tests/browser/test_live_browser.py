"""Live updates in chromium: two tabs of one user on two app processes, a third user's tab.

Tab A1 is served by the session's `live_server`, tab A2 (and Bob's) by a second process:
what A1 does shows in A2 within a bounded wait, through PostgreSQL's NOTIFY, and Bob's
page asks for nothing. Every wait is an `expect` with a timeout; nothing sleeps.
"""

from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.browser.test_tasks_browser import add as add_task
from tests.browser.test_tasks_browser import edit_form, item, task_list
from tests.conftest import PASSWORD, SECRET, _asyncpg_dsn, app_process
from webapp.live.bus import APPLICATION_NAME
from webapp.models import User
from webapp.schemas import TaskUpdate
from webapp.services.project_service import ProjectService
from webapp.services.session_service import SessionService
from webapp.services.task_service import TaskService
from webapp.services.user_service import UserService
from webapp.web import cookies

SOON = 3000  # ms: "within a second" on a busy 2-core machine, with room to spare


@pytest.fixture(scope="module")
def second_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with app_process(database_url, tmp_path_factory.mktemp("second")) as base:
        yield base


async def tab(
    browser: Browser, base: str, session: AsyncSession, user: User
) -> AsyncIterator[Page]:
    raw = await SessionService(session).create_session(user.id, "playwright")
    context: BrowserContext = await browser.new_context(base_url=base)
    context.set_default_timeout(5000)
    value = cookies.signer(SECRET, "session").sign(raw).decode()
    await context.add_cookies([{"name": "session", "value": value, "url": base}])
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


@pytest.fixture
async def alice(session: AsyncSession, clean_db) -> User:
    return await UserService(session).create_user("alice@example.com", PASSWORD)


@pytest.fixture
async def a1(browser: Browser, live_server: str, session: AsyncSession, alice: User):
    async for page in tab(browser, live_server, session, alice):
        yield page


@pytest.fixture
async def a2(browser: Browser, second_server: str, session: AsyncSession, alice: User):
    async for page in tab(browser, second_server, session, alice):
        yield page


async def add(session: AsyncSession, user: User, title: str) -> int:
    task_id = await add_task(session, user, title)
    await session.commit()  # a change made elsewhere, committed
    return task_id


async def opened(page: Page, path: str = "/tasks") -> Page:
    """The page, once its stream is open (the server has answered the stream's request)."""
    async with page.expect_response(lambda r: "/events" in r.url):
        await page.goto(path)
    return page


async def test_changes_in_one_tab_show_in_the_other_and_not_to_another_user(
    a1: Page, a2: Page, browser: Browser, second_server: str, session: AsyncSession
) -> None:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    await add(session, bob, "Bob's own")
    async for bobs in tab(browser, second_server, session, bob):
        await opened(bobs)
        asked: list[str] = []
        bobs.on("request", lambda r, asked=asked: "/events" in r.url or asked.append(r.url))
        await opened(a1)
        # What a screen reader would hear: nothing, for changes the user did not make here.
        count = "window.heard = 0; document.addEventListener('announce', () => window.heard++)"
        await a2.add_init_script(count)
        await opened(a2)

        new_task = a1.get_by_label("New task")
        for title in ("Alpha", "Beta"):
            await new_task.fill(title)
            await new_task.press("Enter")
        await expect(item(a2, "Beta")).to_be_visible(timeout=SOON)
        await expect(a2.get_by_text("2 items left")).to_be_visible(timeout=SOON)

        await item(a1, "Alpha").get_by_role("link", name="Edit").click()
        await edit_form(a1).get_by_label("Title").fill("Alpha renamed")
        await edit_form(a1).get_by_label("Title").press("Enter")
        await expect(item(a2, "Alpha renamed")).to_be_visible(timeout=SOON)

        await item(a1, "Beta").get_by_role("checkbox", name="Completed").check()
        await expect(item(a2, "Beta").get_by_role("checkbox")).to_be_checked(timeout=SOON)
        await expect(a2.get_by_text("1 item left")).to_be_visible(timeout=SOON)

        await item(a1, "Alpha renamed").get_by_role("button", name="Delete").click()
        await expect(item(a2, "Alpha renamed")).to_have_count(0, timeout=SOON)

        await a1.get_by_role("button", name="Clear completed").click()
        await expect(task_list(a2).get_by_role("listitem")).to_have_count(0, timeout=SOON)
        await expect(a2.get_by_text("No tasks yet")).to_be_visible()
        assert await a2.evaluate("window.heard") == 0

        # Bob's tab, on the process that delivered all of that to A2, asked for nothing.
        assert asked == []
        await expect(item(bobs, "Bob's own")).to_be_visible()


async def test_an_update_keeps_focus_an_open_edit_and_what_was_typed(
    a1: Page, a2: Page, session: AsyncSession, alice: User
) -> None:
    await add(session, alice, "Being edited")
    await opened(a1)
    await opened(a2)
    await a2.get_by_label("New task").fill("Half typed")
    await item(a2, "Being edited").get_by_role("link", name="Edit").click()
    title = edit_form(a2).get_by_label("Title")
    await title.fill("Being edited, changed")

    await a1.get_by_label("New task").fill("From the other tab")
    await a1.get_by_label("New task").press("Enter")

    await expect(item(a2, "From the other tab")).to_be_visible(timeout=SOON)
    await expect(title).to_have_value("Being edited, changed")
    await expect(title).to_be_focused()
    await expect(a2.get_by_label("New task")).to_have_value("Half typed")
    # The kept form still saves through htmx, in place.
    await title.press("Enter")
    await expect(item(a2, "Being edited, changed")).to_be_visible()
    await expect(item(a1, "Being edited, changed")).to_be_visible(timeout=SOON)


async def test_a_task_moved_to_another_project_leaves_this_view_and_counts_follow(
    a2: Page, session: AsyncSession, alice: User
) -> None:
    project = await ProjectService(session).create_project(alice.id, "Work")
    await session.commit()
    task_id = await add(session, alice, "Moving")
    await opened(a2, f"/tasks?project={project.id}")
    await expect(item(a2, "Moving")).to_have_count(0)

    await TaskService(session).update_task(alice.id, task_id, TaskUpdate(project_id=project.id))
    await session.commit()
    await expect(item(a2, "Moving")).to_be_visible(timeout=SOON)
    sidebar = a2.get_by_role("navigation", name="Projects")
    await expect(sidebar.get_by_role("link", name="Work")).to_contain_text("1", timeout=SOON)


async def test_after_the_listener_is_killed_and_a_hidden_tab_is_shown_again_tabs_catch_up(
    a2: Page, session: AsyncSession, alice: User, database_url: str
) -> None:
    await opened(a2)
    admin = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name LIKE $1 || ' %' AND datname = current_database()",
            APPLICATION_NAME,
        )
    finally:
        await admin.close()
    await add(session, alice, "Made while nobody listened")
    await expect(item(a2, "Made while nobody listened")).to_be_visible(timeout=5000)

    # Hidden: the stream closes. Shown again: it reopens and catches up at once.
    hide = "v => { Object.defineProperty(document, 'hidden', {value: v, configurable: true});"
    hide += " document.dispatchEvent(new Event('visibilitychange')); }"
    await a2.evaluate(hide, True)
    await add(session, alice, "Made while hidden")
    async with a2.expect_response(lambda r: "/events" in r.url):
        await a2.evaluate(hide, False)
    await expect(item(a2, "Made while hidden")).to_be_visible(timeout=SOON)
