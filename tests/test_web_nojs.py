"""With JavaScript off, every task action works through plain links, forms and 303 redirects.

The client here only does what a browser without JavaScript can: open a URL, follow a
link, fill in and submit a form found on the page, follow the redirect.
"""

from urllib.parse import urlencode, urljoin

import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models import User
from webapp.schemas import TaskUpdate
from webapp.services.task_service import TaskService


class PlainBrowser:
    """Links and forms only; no htmx headers, no CSRF header (the form field carries it)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        client.headers.pop("X-CSRF-Token", None)
        self.client = client
        self.url = "/"
        self.response: httpx.Response | None = None
        self.redirects: list[str] = []

    @property
    def page(self) -> BeautifulSoup:
        assert self.response is not None
        return BeautifulSoup(self.response.text, "html.parser")

    @property
    def text(self) -> str:
        return " ".join(self.page.get_text().split())

    @property
    def status(self) -> int:
        assert self.response is not None
        return self.response.status_code

    async def _go(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        self.redirects = []
        response = await self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
        while response.is_redirect:
            # Post/redirect/get: a form post is answered with 303, never a 302/307.
            assert method == "GET" or response.status_code == 303, response.status_code
            url = urljoin(url, response.headers["location"])
            self.redirects.append(url)
            method = "GET"
            response = await self.client.get(url)
        self.url, self.response = url, response
        return response

    async def open(self, url: str) -> httpx.Response:
        return await self._go("GET", url)

    async def follow(self, link_text: str, within: Tag | None = None) -> httpx.Response:
        scope = within or self.page
        link = scope.find("a", string=lambda s: s is not None and s.strip() == link_text)
        assert isinstance(link, Tag), f"no link {link_text!r} on {self.url}"
        return await self.open(urljoin(self.url, str(link["href"])))

    def form(self, action: str, within: Tag | None = None) -> Tag:
        if within is not None and within.name == "form" and within.get("action") == action:
            return within
        form = (within or self.page).find("form", action=action)
        assert isinstance(form, Tag), f"no form posting to {action} on {self.url}"
        return form

    async def submit(
        self, action: str, *, within: Tag | None = None, **values: str
    ) -> httpx.Response:
        """Fill the form whose action is `action` with `values` and send it as a browser
        would: every field in order (a name may repeat), then the first submit button."""
        form = self.form(action, within)
        pairs: list[tuple[str, str]] = []
        for field in form.find_all(["input", "textarea", "select"]):
            name = field.get("name")
            if not name:
                continue
            if field.name == "textarea":
                pairs.append((name, field.get_text()))
            elif field.name == "select":
                chosen = field.find("option", selected=True) or field.find("option")
                pairs.append((name, str(chosen.get("value", "")) if chosen else ""))
            elif field.get("type") in ("checkbox", "radio"):
                if field.has_attr("checked"):
                    pairs.append((name, str(field.get("value", "on"))))
            elif field.get("type") not in ("submit", "button"):
                pairs.append((name, str(field.get("value", ""))))
        # A <button> is a submit button unless its type says otherwise.
        button = form.find(
            lambda t: (
                (t.name == "button" and t.get("type", "submit") == "submit")
                or (t.name == "input" and t.get("type") == "submit")
            )
        )
        if isinstance(button, Tag) and button.get("name"):
            pairs.append((str(button["name"]), str(button.get("value", ""))))
        for name, value in values.items():
            assert any(n == name for n, _ in pairs) or form.find(attrs={"name": name}), (
                f"no field {name!r}"
            )
            pairs = [(n, v) for n, v in pairs if n != name] + [(name, value)]
        data: dict[str, list[str]] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        method = str(form.get("method", "get")).upper()
        url = urljoin(self.url, str(form["action"]))
        if method == "GET":
            return await self.open(f"{url}?{urlencode(pairs)}")
        return await self._go("POST", url, data=data)

    def form_action(self, row: Tag, verb: str) -> str:
        """The action of the row's form that ends in /`verb` (toggle, delete)."""
        form = row.find("form", action=lambda a: a is not None and a.endswith(f"/{verb}"))
        assert isinstance(form, Tag)
        return str(form["action"])

    def titles(self) -> list[str]:
        task_list = self.page.find("ul", attrs={"aria-label": "Tasks"})
        assert isinstance(task_list, Tag)
        return [" ".join(t.get_text().split()) for t in task_list.select("li .title")]

    def row(self, title: str) -> Tag:
        for li in self.page.select("ul.task-list > li"):
            if " ".join(li.select_one(".title").get_text().split()) == title:
                return li
        raise AssertionError(f"no task {title!r} on {self.url}")

    def notice(self) -> str:
        return " ".join(self.page.find(id="toast").get_text().split())


@pytest.fixture
def browser(user_client: httpx.AsyncClient) -> PlainBrowser:
    return PlainBrowser(user_client)


async def test_add_toggle_filter_and_clear_without_javascript(browser: PlainBrowser) -> None:
    await browser.open("/")
    assert browser.url.endswith("/tasks")

    await browser.submit("/tasks", title="Buy milk")
    assert browser.redirects[-1].endswith("/tasks")
    assert browser.titles() == ["Buy milk"]
    assert browser.notice() == "Task added."
    assert "1 item left" in browser.text

    await browser.submit("/tasks", title="Pay rent", description="before Friday", priority="high")
    assert browser.titles() == ["Pay rent", "Buy milk"]
    assert "High" in " ".join(browser.row("Pay rent").get_text().split())

    # The flash is shown once.
    await browser.open(browser.url)
    assert browser.notice() == ""

    await browser.follow("Active")
    assert browser.url.endswith("/tasks?status=active")
    milk = browser.row("Buy milk")
    await browser.submit((browser.form_action(milk, "toggle")), within=milk)
    # Back to the same filtered view, where the completed task no longer shows.
    assert browser.url.endswith("/tasks?status=active")
    assert browser.titles() == ["Pay rent"]
    assert browser.notice() == "Marked “Buy milk” done."
    assert "1 item left" in browser.text

    await browser.follow("Completed")
    assert browser.titles() == ["Buy milk"]
    assert browser.page.find("a", string="Completed")["aria-current"] == "page"

    clear = browser.page.find("form", action="/tasks/clear-completed")
    assert clear is not None
    await browser.submit("/tasks/clear-completed")
    assert browser.url.endswith("/tasks?status=completed")
    assert browser.titles() == []
    assert browser.page.find("form", action="/tasks/clear-completed") is None

    await browser.follow("All")
    assert browser.titles() == ["Pay rent"]
    await browser.submit("/tasks/complete-all")
    assert "0 items left" in browser.text
    assert "done" in browser.row("Pay rent")["class"]


async def test_empty_title_is_refused_with_the_input_kept(browser: PlainBrowser) -> None:
    await browser.open("/tasks")
    await browser.submit("/tasks", title="   ", description="remember this")
    assert browser.status == 422
    assert "This can't be empty." in browser.text
    assert browser.page.find("textarea", attrs={"name": "description"}).get_text() == (
        "remember this"
    )
    assert browser.titles() == []


async def test_edit_on_its_own_page_and_back_to_the_view(
    browser: PlainBrowser, session: AsyncSession, user: User
) -> None:
    await browser.open("/tasks?q=draft")
    await browser.submit("/tasks", title="Draft letter")
    assert browser.url.endswith("/tasks?q=draft")

    await browser.follow("Edit", within=browser.row("Draft letter"))
    assert "/edit" in browser.url
    assert browser.page.find("h1").get_text() == "Edit task"
    task_id = browser.url.split("/tasks/")[1].split("/")[0]
    action = f"/tasks/{task_id}"

    await browser.submit(action, title="")
    assert browser.status == 422
    assert "This can't be empty." in browser.text

    await browser.submit(action, title="Draft letter to Ann", priority="high")
    assert browser.url.endswith("/tasks?q=draft")
    assert browser.titles() == ["Draft letter to Ann"]
    assert browser.notice() == "Task saved."

    # Cancel is a plain link back to the view.
    await browser.follow("Edit", within=browser.row("Draft letter to Ann"))
    await browser.follow("Cancel")
    assert browser.url.endswith("/tasks?q=draft")


async def test_stale_edit_lets_the_user_choose_without_javascript(
    browser: PlainBrowser, session: AsyncSession, user: User
) -> None:
    await browser.open("/tasks")
    await browser.submit("/tasks", title="Shared")
    await browser.follow("Edit", within=browser.row("Shared"))
    task_id = int(browser.url.split("/tasks/")[1].split("/")[0])
    # Another tab saves first.
    await TaskService(session).update_task(user.id, task_id, TaskUpdate(title="Theirs"))

    await browser.submit(f"/tasks/{task_id}", title="Mine")

    assert browser.status == 409
    assert "changed somewhere else" in browser.text and "Theirs" in browser.text
    assert browser.page.find("input", attrs={"name": "title"})["value"] == "Mine"
    await browser.submit(f"/tasks/{task_id}")  # "Save mine anyway"
    assert browser.titles() == ["Mine"]


async def test_delete_and_undo_without_javascript(browser: PlainBrowser) -> None:
    await browser.open("/tasks")
    await browser.submit("/tasks", title="Keep me")
    await browser.submit("/tasks", title="Delete me", priority="low")

    row = browser.row("Delete me")
    await browser.submit((browser.form_action(row, "delete")), within=row)
    assert browser.titles() == ["Keep me"]
    assert "Deleted “Delete me”" in browser.notice()

    await browser.submit("/tasks/undo")
    assert browser.titles() == ["Delete me", "Keep me"]
    assert "Restored" in browser.notice()


async def test_search_and_priority_filter_are_a_plain_get_form(browser: PlainBrowser) -> None:
    await browser.open("/tasks")
    await browser.submit("/tasks", title="Call the plumber", priority="high")
    await browser.submit("/tasks", title="Water plants", priority="low")
    await browser.follow("Active")

    await browser.submit("/tasks", within=browser.page.find("form", role="search"), q="PLUMB")

    assert "q=PLUMB" in browser.url and "status=active" in browser.url
    assert browser.titles() == ["Call the plumber"]
    await browser.submit(
        "/tasks", within=browser.page.find("form", role="search"), q="", priority="low"
    )
    assert browser.titles() == ["Water plants"]
