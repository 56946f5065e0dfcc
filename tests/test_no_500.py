"""No 500s and no exhaustion from anyone, logged in or not: big ids, input that cannot be
echoed, bodies too large to read, and password hashing that must not stall the app."""

import asyncio
import json
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, listed
from tests.forms import form_fields
from tests.test_web_tasks import hx
from webapp.models import User
from webapp.schemas import TaskCreate
from webapp.services.task_service import TaskService

HUGE = "1" * 4301


@pytest.mark.parametrize("task_id", ["2147483648", "9999999999", "0", HUGE, "12abc", "-1"])
async def test_ids_no_row_can_have_are_404_on_the_pages(
    user_client: httpx.AsyncClient, task_id: str
) -> None:
    for method, path in [
        ("GET", f"/tasks/{task_id}/edit"),
        ("GET", f"/tasks/{task_id}"),
        ("POST", f"/tasks/{task_id}"),
        ("POST", f"/tasks/{task_id}/toggle"),
        ("POST", f"/tasks/{task_id}/delete"),
        ("POST", f"/settings/tokens/{task_id}/revoke"),
    ]:
        for headers in ({}, hx()):
            response = await user_client.request(method, path, data={"title": "x"}, headers=headers)
            assert response.status_code == 404, (method, path, headers)


@pytest.mark.parametrize("item_id", ["2147483648", "9999999999", "0", HUGE, "12abc", "-1"])
async def test_ids_no_row_can_have_are_404_in_the_api(
    client: httpx.AsyncClient, user: User, item_id: str
) -> None:
    auth = await api_token(client, user)
    api = f"/api/{user.id}"
    for method, path, body in [
        ("GET", f"{api}/projects/{item_id}", None),
        ("PUT", f"{api}/projects/{item_id}", {"name": "x"}),
        ("DELETE", f"{api}/projects/{item_id}", None),
        ("GET", f"{api}/labels/{item_id}", None),
        ("PUT", f"{api}/labels/{item_id}", {"name": "x"}),
        ("DELETE", f"{api}/labels/{item_id}", None),
        ("POST", f"{api}/tasks/{item_id}/move", {"after": 1}),
    ]:
        response = await client.request(method, path, json=body, headers=auth)
        assert response.status_code == 404, (method, path[:80], response.text[:200])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("tasks/", {"project_id": "2147483648"}),
        ("tasks/", {"project_id": "NaN"}),
        ("tasks/", {"label": "a\x00b"}),
        ("tasks/", {"label": "x" * 5000}),
        ("tasks/", {"sort": "\x00"}),
        ("tasks/", {"sort": "manual", "cursor": "m99999999999999999999999_1"}),
        ("projects/{project}", {"tasks": "inbox\x00"}),
        ("projects/{project}", {"tasks": "\ud800"}),
    ],
)
async def test_nasty_api_queries_are_a_422(
    client: httpx.AsyncClient, user: User, path: str, params: dict
) -> None:
    auth = await api_token(client, user)
    api = f"/api/{user.id}"
    project = (await client.post(f"{api}/projects/", json={"name": "p"}, headers=auth)).json()
    await client.post(
        f"{api}/tasks/", json={"title": "t", "project_id": project["id"]}, headers=auth
    )
    method = "DELETE" if path.startswith("projects") else "GET"
    query = "&".join(
        f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in params.items()
    )
    url = f"{api}/{path.format(project=project['id'])}?{query}"
    response = await client.request(method, url, headers=auth)
    assert response.status_code == 422, (method, params, response.text[:200])


async def test_an_anonymous_visitor_with_a_huge_id_gets_a_404(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/tasks/{HUGE}/edit")).status_code == 404
    assert (await client.get(f"/api/1/tasks/{HUGE}")).status_code == 404


async def api_token(client: httpx.AsyncClient, user: User) -> dict[str, str]:
    response = await client.post(
        "/api/auth/token", json={"email": user.email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize(
    "body",
    [
        '{"title": "a\\ud800b"}',
        '{"title": NaN}',
        '{"title": 1e999}',
        '{"priority": Infinity, "title": "x"}',
        '{"title": ["a\\udfff"]}',
        '{"title": {"\\ud800": 1}}',
        "[" * 100_000 + "]" * 100_000,
        '{"title": ' + "9" * 5000 + "}",
        '{"title": "x"',
        b'{"title": "\xff\xfe"}',
    ],
)
async def test_bad_json_is_a_422_that_serialises(
    client: httpx.AsyncClient, user: User, body: str | bytes
) -> None:
    auth = await api_token(client, user) | {"Content-Type": "application/json"}
    content = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    api = f"/api/{user.id}"
    task = (
        await client.post(f"{api}/tasks/", json={"title": "t", "labels": ["l"]}, headers=auth)
    ).json()
    project = (await client.post(f"{api}/projects/", json={"name": "p"}, headers=auth)).json()
    label = (await client.get(f"{api}/labels/", headers=auth)).json()[0]
    for method, url in [
        ("POST", f"{api}/tasks/"),
        ("PUT", f"{api}/tasks/{task['id']}"),
        ("POST", f"{api}/tasks/{task['id']}/move"),
        ("POST", f"{api}/projects/"),
        ("PUT", f"{api}/projects/{project['id']}"),
        ("PUT", f"{api}/labels/{label['id']}"),
    ]:
        response = await client.request(method, url, content=content, headers=auth)
        if len(content) > 64 * 1024:
            assert response.status_code == 413
            continue
        if url.endswith("/move") or not url.startswith(f"{api}/tasks/"):
            # A body of no title is no task's: refused or ignored, never a 500.
            assert response.status_code in (200, 201, 422), (url, response.text[:200])
            if response.status_code != 422:
                continue
        assert response.status_code == 422, (url, response.text[:200])
        error = response.json()
        assert error["code"] == "validation_failed" and isinstance(error["detail"], list)
        # The input is never echoed back.
        assert all(set(item) == {"loc", "msg", "type"} for item in error["detail"])
        assert "input_value" not in json.dumps(error)


async def test_a_lone_surrogate_in_the_token_request_is_a_422(client: httpx.AsyncClient) -> None:
    content = b'{"email": "\\ud800@example.com", "password": "x"}'
    response = await client.post(
        "/api/auth/token", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (401, 422) and response.json()["code"]


async def test_a_declared_huge_form_is_refused_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    # 250 MB announced, a few bytes sent: the answer comes without waiting for the rest.
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "262144000"}
    response = await client.post("/login", content=b"email=x", headers=headers)
    assert response.status_code == 413
    assert "Too much data" in response.text


async def test_a_form_streamed_without_a_length_is_cut_off_at_the_limit(
    client: httpx.AsyncClient,
) -> None:
    sent = 0

    async def body():  # noqa: ANN202
        nonlocal sent
        for _ in range(1000):  # 64 MB if it were all read
            sent += 1
            yield b"x" * 65536

    response = await client.post(
        "/login", content=body(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert sent < 10, f"{sent} chunks read before refusing"


async def test_too_many_fields_are_refused_without_building_them(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    many = "&".join(f"f{i}=x" for i in range(5000))
    response = await user_client.post(
        "/tasks",
        content=("title=x&" + many).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert await listed(session, user.id) == []


async def test_logins_hash_off_the_event_loop(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """While a flood of logins waits for password checks, the app still answers at once."""
    page = await client.get("/login")
    data = form_fields(page.text, "/login")
    finished = 0

    async def login(i: int) -> None:
        nonlocal finished
        # Unknown emails from different clients: no limit applies, every one is hashed.
        transport = httpx.ASGITransport(app=app, client=(f"10.0.{i}.1", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            c.cookies.update(client.cookies)
            await c.post("/login", data=data | {"email": f"u{i}@example.com", "password": "pw pw"})
        finished += 1

    logins = [asyncio.create_task(login(i)) for i in range(16)]
    await asyncio.sleep(0)  # let them start
    health = await client.get("/healthz")
    done_when_healthy = finished
    await asyncio.gather(*logins)
    assert health.status_code == 200
    # Hashing on the event loop would have made /healthz wait behind most of them.
    assert done_when_healthy <= 4, f"{done_when_healthy} of 16 logins finished first"


async def test_task_fields_say_how_long_they_may_be(user_client: httpx.AsyncClient) -> None:
    page = (await user_client.get("/tasks")).text
    # New task takes quick-add text: the title is what is left of up to 500 characters.
    assert 'id="new-title" name="title" type="text" value="" maxlength="500"' in page
    assert 'id="new-description" name="description" rows="3" maxlength="1000"' in page


async def test_the_api_says_who_the_token_belongs_to(client: httpx.AsyncClient, user: User) -> None:
    auth = await api_token(client, user)
    response = await client.get("/api/me", headers=auth)
    assert response.json() == {
        "user_id": user.id,
        "email": user.email,
        "timezone": "UTC",
        "date_order": "DMY",
    }
    assert (await client.get("/api/me")).status_code == 401


async def test_changing_the_password_revokes_api_tokens(
    user_client: httpx.AsyncClient, user: User
) -> None:
    auth = await api_token(user_client, user)
    assert (await user_client.get("/api/me", headers=auth)).status_code == 200
    page = await user_client.get("/settings")
    data = form_fields(page.text, "/settings/password") | {
        "current_password": PASSWORD,
        "new_password": "an entirely new passphrase",
    }
    response = await user_client.post("/settings/password", data=data)
    assert response.status_code == 303
    notice = (await user_client.get(response.headers["location"])).text
    assert "every API token revoked" in notice
    assert (await user_client.get("/api/me", headers=auth)).status_code == 401


async def test_logging_out_elsewhere_can_revoke_tokens_too(
    user_client: httpx.AsyncClient, user: User
) -> None:
    auth = await api_token(user_client, user)
    data = form_fields(
        (await user_client.get("/settings")).text, "/settings/sessions/logout-others"
    )
    data.pop("revoke_tokens")  # the box left unticked
    await user_client.post("/settings/sessions/logout-others", data=data)
    assert (await user_client.get("/api/me", headers=auth)).status_code == 200
    await user_client.post(
        "/settings/sessions/logout-others", data=data | {"revoke_tokens": "true"}
    )
    assert (await user_client.get("/api/me", headers=auth)).status_code == 401


async def test_fragments_name_their_view_in_the_tab_title(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await TaskService(session).create_task(user.id, TaskCreate(title="Fix the bike"))
    response = await user_client.get("/tasks?status=active&q=bike", headers=hx())
    assert response.text.startswith("<head><title>Active tasks matching “bike” · Tasks</title>")
    page = await user_client.get("/tasks?status=completed")
    assert "<title>Completed tasks · Tasks</title>" in page.text
