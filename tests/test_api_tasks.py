"""The JSON API over tasks, row by row of the contract's table, on real PostgreSQL."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import httpx
import pytest
from bs4 import BeautifulSoup
from pydantic import TypeAdapter
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD
from webapp.models import Task, User
from webapp.schemas import TaskCreate
from webapp.schemas.task import TaskResponse, task_list_json
from webapp.services.project_service import ProjectService
from webapp.services.task_service import TaskService
from webapp.services.token_service import TokenService
from webapp.services.user_service import UserService

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
TASK_FIELDS = {
    "id",
    "user_id",
    "title",
    "description",
    "completed",
    "priority",
    "project_id",
    "labels",
    "position",
    "due_date",
    "due_at",
    "recurrence",
    "repeat_from",
    "created_at",
    "updated_at",
}


class Api:
    """One user's view of the API: their id and a client sending their token."""

    def __init__(self, client: httpx.AsyncClient, user: User, token: str) -> None:
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {token}"}

    @property
    def tasks(self) -> str:
        return f"/api/{self.user.id}/tasks/"

    async def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        headers = self.headers | dict(kwargs.pop("headers", {}))  # type: ignore[arg-type]
        return await self.client.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]

    async def create(self, title: str = "Buy milk", **fields: object) -> dict:
        response = await self.request("POST", self.tasks, json={"title": title, **fields})
        assert response.status_code == 201, response.text
        return response.json()


async def _api_for(client: httpx.AsyncClient, session: AsyncSession, user: User) -> Api:
    _, token = await TokenService(session).create_token(user.id, "tests")
    return Api(client, user, token)


@pytest.fixture
async def api(client: httpx.AsyncClient, session: AsyncSession, user: User) -> Api:
    return await _api_for(client, session, user)


@pytest.fixture
async def other_api(client: httpx.AsyncClient, session: AsyncSession) -> AsyncIterator[Api]:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    yield await _api_for(client, session, bob)


# POST /api/{user_id}/tasks/


async def test_create_returns_201_with_the_task(api: Api) -> None:
    response = await api.request(
        "POST",
        api.tasks,
        json={"title": "  Write report  ", "description": "Q3", "priority": "high"},
    )
    assert response.status_code == 201
    task = response.json()
    assert set(task) == TASK_FIELDS
    assert task["title"] == "Write report" and task["description"] == "Q3"
    assert task["priority"] == "high" and task["completed"] is False
    assert task["user_id"] == api.user.id
    assert ISO_WITH_OFFSET.match(task["created_at"]) and ISO_WITH_OFFSET.match(task["updated_at"])
    assert response.headers["ETag"] == f'"{task["id"]}-1"'
    assert response.headers["Location"] == f"{api.tasks}{task['id']}"
    fetched = await api.request("GET", response.headers["Location"])
    assert fetched.json() == task


async def test_create_defaults(api: Api) -> None:
    task = await api.create("Only a title")
    assert task["priority"] == "medium" and task["description"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": "ok", "priority": "urgent"}, "priority"),
        ({"title": "ok", "description": "d" * 1001}, "description"),
        # PostgreSQL cannot store NUL: refused up front, never a 500 from the INSERT.
        ({"title": "a\x00b"}, "title"),
        ({"title": "ok", "description": "\x00"}, "description"),
    ],
)
async def test_create_rejects_bad_input_with_pydantic_errors(
    api: Api, body: dict, field: str
) -> None:
    response = await api.request("POST", api.tasks, json=body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(error["loc"] == ["body", field] for error in errors), errors
    assert (await api.request("GET", api.tasks)).json() == []


async def test_malformed_json_is_422_not_500(api: Api) -> None:
    for content in (b"{", b'{"t": "x",}', b"\xff\xfe", b"i\xff\xfeJ", b"null", b"[]", b'"t"'):
        response = await api.request(
            "POST", api.tasks, content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, content
        assert isinstance(response.json()["detail"], list)


async def test_create_without_token_is_401(api: Api) -> None:
    response = await api.client.post(api.tasks, json={"title": "x"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


async def test_create_for_another_user_id_is_403(api: Api, other_api: Api) -> None:
    response = await api.request("POST", other_api.tasks, json={"title": "Sneaky"})
    assert response.status_code == 403 and response.json() == {
        "detail": "Not your user_id",
        "code": "forbidden",
    }
    assert (await other_api.request("GET", other_api.tasks)).json() == []


async def test_both_slash_forms_work_without_redirect(api: Api) -> None:
    bare = api.tasks.rstrip("/")
    created = await api.request("POST", bare, json={"title": "No slash"})
    assert created.status_code == 201
    for url in (bare, api.tasks):
        listed = await api.request("GET", url)
        assert listed.status_code == 200 and [t["title"] for t in listed.json()] == ["No slash"]
    assert (await api.client.get(bare)).status_code == 401


# GET /api/{user_id}/tasks/


async def test_list_is_newest_first_with_filters(api: Api) -> None:
    first = await api.create("first", priority="low")
    second = await api.create("second", priority="high")
    third = await api.create("third", priority="high")
    await api.request("PUT", f"{api.tasks}{second['id']}", json={"completed": True})

    async def titles(**params: str) -> list[str]:
        response = await api.request("GET", api.tasks, params=params)
        assert response.status_code == 200
        assert "Link" not in response.headers
        return [task["title"] for task in response.json()]

    assert await titles() == ["third", "second", "first"]
    assert await titles(completed="true") == ["second"]
    assert await titles(completed="false") == ["third", "first"]
    assert await titles(priority="high") == ["third", "second"]
    assert await titles(priority="high", completed="false") == ["third"]
    assert await titles(priority="medium") == []
    assert {first["id"], third["id"]} < {
        t["id"] for t in (await api.request("GET", api.tasks)).json()
    }


@pytest.mark.parametrize(
    "params",
    [
        {"completed": "maybe"},
        {"priority": "urgent"},
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "ten"},
        {"cursor": "not-a-cursor"},
        {"cursor": "!!!"},
        {"cursor": "123"},  # no id
        {"cursor": "-5"},  # no time
        {"cursor": "1-99999999999"},  # id too big for PostgreSQL
        {"cursor": "999999999999999999-1"},  # past year 9999
        {"cursor": "x" * 201},
    ],
)
async def test_list_rejects_bad_query_with_422(api: Api, params: dict) -> None:
    response = await api.request("GET", api.tasks, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "query"


async def test_list_of_another_user_id_is_403_and_without_token_401(
    api: Api, other_api: Api
) -> None:
    await other_api.create("Bob's")
    assert (await api.request("GET", other_api.tasks)).status_code == 403
    assert (await api.client.get(other_api.tasks)).status_code == 401


async def test_paging_misses_and_repeats_nothing_while_tasks_are_added(api: Api) -> None:
    existing = [(await api.create(f"task {n}"))["id"] for n in range(11)]
    seen: list[int] = []
    url: str | None = f"{api.tasks}?limit=4"
    pages = 0
    while url:
        response = await api.request("GET", url)
        assert response.status_code == 200
        page = response.json()
        assert isinstance(page, list) and len(page) <= 4
        seen += [task["id"] for task in page]
        # Someone adds a task between requests: it is newer, so it never shifts a page.
        await api.create(f"added after page {pages}")
        pages += 1
        link = response.headers.get("Link")
        if link:
            # A path: the request's Host is not echoed into the header.
            match = re.fullmatch(r'<(/api/[^>]+)>; rel="next"', link)
            assert match, link
            url = match.group(1)
            assert "limit=4" in url
        else:
            url = None
    assert pages == 3
    assert seen == sorted(existing, reverse=True)


async def test_paging_keeps_filters_and_ends_exactly(api: Api) -> None:
    for n in range(4):
        await api.create(f"t{n}", priority="high" if n % 2 else "low")
    first = await api.request("GET", api.tasks, params={"priority": "high", "limit": "1"})
    assert [t["title"] for t in first.json()] == ["t3"]
    next_url = first.headers["Link"].split(">")[0][1:]
    assert "priority=high" in next_url
    second = await api.request("GET", next_url)
    assert [t["title"] for t in second.json()] == ["t1"]
    # Exactly `limit` left: no Link, as there is nothing after it.
    assert "Link" not in second.headers


async def test_default_and_maximum_limit(api: Api, session: AsyncSession) -> None:
    service = TaskService(session)
    inbox = (await ProjectService(session).list_projects(api.user.id))[0]
    for n in range(201):
        session.add(Task(user_id=api.user.id, project_id=inbox.id, title=f"bulk {n}"))
    await session.commit()
    assert await service.count_tasks(api.user.id) == (201, 0)
    default = await api.request("GET", api.tasks)
    assert len(default.json()) == 50 and "Link" in default.headers
    biggest = await api.request("GET", api.tasks, params={"limit": "200"})
    assert len(biggest.json()) == 200 and "Link" in biggest.headers


# GET /api/{user_id}/tasks/{task_id}


async def test_get_one_with_etag(api: Api) -> None:
    task = await api.create("One")
    response = await api.request("GET", f"{api.tasks}{task['id']}")
    assert response.status_code == 200 and response.json() == task
    assert response.headers["ETag"] == f'"{task["id"]}-1"'


async def test_get_one_errors(api: Api, other_api: Api) -> None:
    task = await api.create("Mine")
    missing = await api.request("GET", f"{api.tasks}{task['id'] + 1000}")
    assert missing.status_code == 404 and missing.json() == {
        "detail": "Task not found",
        "code": "not_found",
    }
    # One rule for every id in a path: not a number no row can have is a 404.
    for weird in ("0", "-1", str(2**31), str(2**63), "99999999999999999999999", "abc", "1" * 4301):
        assert (await api.request("GET", f"{api.tasks}{weird}")).status_code == 404, weird
    assert (await api.request("GET", f"/api/abc/tasks/{task['id']}")).status_code == 404
    assert (await api.request("GET", f"{other_api.tasks}{task['id']}")).status_code == 403
    assert (await api.client.get(f"{api.tasks}{task['id']}")).status_code == 401


# PUT /api/{user_id}/tasks/{task_id}


async def test_put_is_a_partial_update(api: Api) -> None:
    task = await api.create("Draft", description="keep me", priority="low")
    response = await api.request("PUT", f"{api.tasks}{task['id']}", json={"completed": True})
    assert response.status_code == 200
    updated = response.json()
    assert updated["completed"] is True
    assert (updated["title"], updated["description"], updated["priority"]) == (
        "Draft",
        "keep me",
        "low",
    )
    assert updated["updated_at"] >= task["updated_at"]
    assert response.headers["ETag"] == f'"{task["id"]}-2"'

    response = await api.request(
        "PUT", f"{api.tasks}{task['id']}", json={"title": " Final ", "description": None}
    )
    assert response.json()["title"] == "Final" and response.json()["description"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"title": None},
        {"title": ""},
        {"title": "x" * 201},
        {"priority": "urgent"},
        {"priority": None},
        {"completed": None},
        {"completed": "perhaps"},
        {"description": "d" * 1001},
        [],
    ],
)
async def test_put_rejects_bad_input(api: Api, body: object) -> None:
    task = await api.create("Stay")
    response = await api.request("PUT", f"{api.tasks}{task['id']}", json=body)
    assert response.status_code == 422 and isinstance(response.json()["detail"], list)
    assert (await api.request("GET", f"{api.tasks}{task['id']}")).json() == task


async def test_put_errors(api: Api, other_api: Api) -> None:
    task = await api.create("Mine")
    url = f"{api.tasks}{task['id']}"
    assert (await api.request("PUT", f"{api.tasks}{task['id'] + 1}", json={})).status_code == 404
    assert (await api.request("PUT", f"{other_api.tasks}{task['id']}", json={})).status_code == 403
    assert (await api.client.put(url, json={"title": "x"})).status_code == 401


async def test_if_match_guards_put(api: Api) -> None:
    task = await api.create("Shared")
    url = f"{api.tasks}{task['id']}"
    first_etag = (await api.request("GET", url)).headers["ETag"]

    changed = await api.request(
        "PUT", url, json={"title": "Mine"}, headers={"If-Match": first_etag}
    )
    assert changed.status_code == 200
    second_etag = changed.headers["ETag"]
    assert second_etag != first_etag

    stale = await api.request(
        "PUT", url, json={"title": "Theirs"}, headers={"If-Match": first_etag}
    )
    assert stale.status_code == 412 and "detail" in stale.json()
    assert stale.headers["ETag"] == second_etag
    assert (await api.request("GET", url)).json()["title"] == "Mine"

    for header in (f"W/{second_etag}", '"garbage"', "*nope"):
        response = await api.request("PUT", url, json={"title": "x"}, headers={"If-Match": header})
        assert response.status_code == 412, header
    current = second_etag
    for template in ("{}", '"other", {}'):
        response = await api.request(
            "PUT", url, json={"priority": "high"}, headers={"If-Match": template.format(current)}
        )
        assert response.status_code == 200, template
        current = response.headers["ETag"]
    assert (await api.request("PUT", url, json={}, headers={"If-Match": "*"})).status_code == 200
    # No If-Match: last write wins, as for clients that never read ETags.
    assert (await api.request("PUT", url, json={"title": "Blind"})).status_code == 200


# DELETE /api/{user_id}/tasks/{task_id}


async def test_delete_is_204_then_404(api: Api) -> None:
    task = await api.create("Bye")
    url = f"{api.tasks}{task['id']}"
    response = await api.request("DELETE", url)
    assert response.status_code == 204 and response.content == b""
    assert (await api.request("GET", url)).status_code == 404
    assert (await api.request("DELETE", url)).status_code == 404


async def test_if_match_guards_delete(api: Api) -> None:
    task = await api.create("Careful")
    url = f"{api.tasks}{task['id']}"
    old_etag = (await api.request("GET", url)).headers["ETag"]
    await api.request("PUT", url, json={"completed": True})
    stale = await api.request("DELETE", url, headers={"If-Match": old_etag})
    assert stale.status_code == 412
    current = await api.request("GET", url)
    assert current.status_code == 200 and current.json()["completed"] is True
    deleted = await api.request("DELETE", url, headers={"If-Match": current.headers["ETag"]})
    assert deleted.status_code == 204


async def test_delete_errors(api: Api, other_api: Api) -> None:
    task = await api.create("Mine")
    assert (await api.request("DELETE", f"{other_api.tasks}{task['id']}")).status_code == 403
    assert (await api.client.delete(f"{api.tasks}{task['id']}")).status_code == 401
    assert (await api.request("GET", f"{api.tasks}{task['id']}")).status_code == 200


# Isolation


async def test_another_user_cannot_touch_my_tasks_whatever_ids(
    api: Api, other_api: Api, session: AsyncSession
) -> None:
    mine = [await api.create(f"secret {n}") for n in range(3)]
    theirs = await other_api.create("bob's own")
    ids = [task["id"] for task in mine] + [theirs["id"], 0, 999, 2**31 - 1]
    for user_id in (api.user.id, other_api.user.id):
        for task_id in ids:
            url = f"/api/{user_id}/tasks/{task_id}"
            for method, body in (("GET", None), ("PUT", {"title": "pwned"}), ("DELETE", None)):
                response = await other_api.request(method, url, json=body)
                if user_id == api.user.id:
                    expected = 403
                elif task_id == theirs["id"]:
                    continue  # Bob's own task: not what this test is about
                else:
                    expected = 404
                assert response.status_code == expected, (method, url)
                assert "secret" not in response.text
        listed = await other_api.request("GET", f"/api/{user_id}/tasks/")
        assert "secret" not in listed.text
    # Nothing of Alice's changed or went missing.
    for task in mine:
        assert (await api.request("GET", f"{api.tasks}{task['id']}")).json() == task
    assert await TaskService(session).count_tasks(api.user.id) == (3, 0)


# Errors are JSON everywhere under /api/


async def test_unknown_api_paths_and_methods_are_json(api: Api) -> None:
    task = await api.create("x")
    for url in ("/api/nope", "/api/", f"/api/{api.user.id}/things/", "/api/auth/nothing"):
        response = await api.request("GET", url)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"detail": "Not Found", "code": "not_found"}
    response = await api.request("POST", f"{api.tasks}{task['id']}", json={})
    assert response.status_code == 405 and "detail" in response.json()
    assert response.headers["Allow"] == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
    response = await api.request("DELETE", api.tasks)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    response = await api.client.options(f"{api.tasks}{task['id']}")
    assert response.status_code == 204
    assert response.headers["Allow"] == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
    response = await api.request("GET", "/api/auth/token")
    assert response.status_code == 405 and "detail" in response.json()


async def test_bodies_over_64_kib_are_413(api: Api) -> None:
    task = await api.create("x")
    big = {"title": "x", "description": "y" * (64 * 1024)}
    for method, url in (("POST", api.tasks), ("PUT", f"{api.tasks}{task['id']}")):
        response = await api.request(method, url, json=big)
        assert response.status_code == 413
        assert response.json() == {
            "detail": "Request body too large (at most 64 KiB)",
            "code": "body_too_large",
        }

    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: the limit must count the bytes as they stream in.
        yield b'{"title": "x", "description": "'
        for _ in range(20):
            yield b"z" * 4096
        yield b'"}'

    response = await api.request(
        "POST", api.tasks, content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and "detail" in response.json()
    response = await api.client.post(
        "/api/auth/token", content=b"x" * (70 * 1024), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert [t["title"] for t in (await api.request("GET", api.tasks)).json()] == ["x"]
    # Just under the limit is fine (and then the schema's own limits apply).
    almost = {"title": "x", "description": "d" * 1000, "pad": "p" * (60 * 1024)}
    assert (await api.request("POST", api.tasks, json=almost)).status_code == 201


async def test_html_forms_have_the_same_limit(client: httpx.AsyncClient) -> None:
    response = await client.post("/login", content=b"x" * (70 * 1024))
    assert response.status_code == 413
    assert "too much" in response.text.lower()


# OpenAPI


async def test_openapi_documents_the_api(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    assert set(paths) == {
        "/api/auth/token",
        "/api/me",
        "/api/{user_id}/tasks/",
        "/api/{user_id}/tasks/{task_id}",
        "/api/{user_id}/tasks/{task_id}/move",
        "/api/{user_id}/tasks/deleted",
        "/api/{user_id}/projects/",
        "/api/{user_id}/projects/{project_id}",
        "/api/{user_id}/labels/",
        "/api/{user_id}/labels/{label_id}",
        "/api/{user_id}/quick-add",
    }
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    project_change = {"401", "404", "409", "412", "422"}
    expected = {
        ("/api/{user_id}/tasks/", "post"): {"201", "401", "403", "404", "413", "422"},
        ("/api/{user_id}/tasks/", "get"): {"200", "304", "401", "403", "422"},
        ("/api/{user_id}/tasks/{task_id}", "get"): {"200", "304", "401", "403", "404", "422"},
        ("/api/{user_id}/tasks/{task_id}", "put"): {"200", "401", "403", "404", "412", "422"},
        ("/api/{user_id}/tasks/{task_id}", "patch"): {"200", "401", "403", "404", "412", "422"},
        ("/api/{user_id}/tasks/deleted", "get"): {"200", "401", "403", "410", "422"},
        ("/api/{user_id}/tasks/{task_id}", "delete"): {"204", "401", "403", "404", "412", "422"},
        ("/api/{user_id}/tasks/{task_id}/move", "post"): {"200", "401", "403", "404", "422"},
        ("/api/{user_id}/projects/", "post"): {"201", "401", "403", "409", "422"},
        ("/api/{user_id}/projects/", "get"): {"200", "304", "401", "403"},
        ("/api/{user_id}/projects/{project_id}", "get"): {"200", "304", "401", "403", "404"},
        ("/api/{user_id}/projects/{project_id}", "put"): {"200", *project_change},
        ("/api/{user_id}/projects/{project_id}", "patch"): {"200", *project_change},
        ("/api/{user_id}/projects/{project_id}", "delete"): {"204", *project_change},
        ("/api/{user_id}/labels/", "get"): {"200", "304", "401", "403"},
        ("/api/{user_id}/labels/{label_id}", "get"): {"200", "304", "401", "403", "404"},
        ("/api/{user_id}/labels/{label_id}", "put"): {"200", "401", "404", "409", "412", "422"},
        ("/api/{user_id}/labels/{label_id}", "patch"): {"200", "401", "404", "409", "412", "422"},
        ("/api/{user_id}/labels/{label_id}", "delete"): {"204", "401", "403", "404", "412"},
        ("/api/auth/token", "post"): {"200", "401", "413", "422", "429"},
        ("/api/{user_id}/quick-add", "get"): {"200", "401", "403", "422"},
    }
    for (path, method), codes in expected.items():
        operation = paths[path][method]
        assert codes <= set(operation["responses"]), (path, method)
        if path != "/api/auth/token":
            assert operation["security"] == [{"HTTPBearer": []}]
    schemas = spec["components"]["schemas"]
    for name in (
        "TaskCreate",
        "TaskUpdate",
        "TaskResponse",
        "TaskMove",
        "TokenRequest",
        "TokenResponse",
        "ProjectCreate",
        "ProjectUpdate",
        "ProjectResponse",
        "LabelUpdate",
        "LabelResponse",
    ):
        assert schemas[name].get("examples"), name
    assert schemas["ErrorResponse"]["properties"]["detail"]["type"] == "string"
    list_params = {p["name"] for p in paths["/api/{user_id}/tasks/"]["get"]["parameters"]}
    assert {
        "completed",
        "priority",
        "project_id",
        "label",
        "sort",
        "limit",
        "cursor",
        "q",
        "updated_since",
    } <= list_params
    # /docs runs under the site's CSP and offline: our own files, no CDN, no inline script.
    docs = BeautifulSoup((await client.get("/docs")).text, "html.parser")
    assert docs.find(id="swagger-ui")["data-openapi-url"] == "/openapi.json"
    scripts = [script.get("src") for script in docs.find_all("script")]
    assert scripts and all(src and src.startswith("/static/") for src in scripts)
    for src in scripts + [link["href"] for link in docs.find_all("link", rel="stylesheet")]:
        assert (await client.get(src)).status_code == 200, src


async def test_the_list_json_is_the_response_models_own(session: AsyncSession, user: User) -> None:
    """The list is written straight from the rows: byte for byte what validating each row
    as TaskResponse and serialising the list would send."""
    service = TaskService(session)
    home = await ProjectService(session).create_project(user.id, "Home")
    for fields in (
        {"title": "plain"},
        {"title": "labelled", "labels": ["b", "A", "c"], "description": "<notes> & ü"},
        {"title": "dated", "due_date": date(2027, 2, 3), "recurrence": "FREQ=WEEKLY"},
        {"title": "timed", "due_at": datetime(2027, 2, 3, 9, 30, tzinfo=UTC), "priority": "high"},
        {"title": "at home", "project_id": home.id, "repeat_from": "completion"},
    ):
        await service.create_task(user.id, TaskCreate(**fields))
    rows = (await service.list_tasks(user.id)).tasks
    models = [TaskResponse.model_validate(row) for row in rows]
    assert task_list_json(rows) == TypeAdapter(list[TaskResponse]).dump_json(models)
    assert [m.labels for m in models if m.title == "labelled"] == [["A", "b", "c"]]
