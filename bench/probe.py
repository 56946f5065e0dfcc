"""The five request kinds once each through httpx: the same requests rotate.lua sends.

Why its own module: wrk cannot tell a page from a redirect to /login (both are "not an
error"), so every kind is first sent once here and must answer 200, or the run stops with the
response text. The same builders count SQL in-process (sqlcount.py) and measure body sizes.
"""

import httpx

from bench.seed import Login
from bench.wrkrun import CREATE_TITLE

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


class BadResponse(RuntimeError):
    pass


async def send(
    client: httpx.AsyncClient, kind: str, login: Login, *, baseline: bool = False, flip: int = 0
) -> httpx.Response:
    """One request of `kind` as `login`; `client.base_url` names the server."""
    cookie = f"uid={login.user_id}" if baseline else login.cookie
    current = f"{str(client.base_url).rstrip('/')}/tasks"
    htmx = {**HTMX, "HX-Current-URL": current, "Cookie": cookie, "X-CSRF-Token": login.csrf}
    task = login.task_ids[flip % len(login.task_ids)]
    if kind == "list":
        return await client.get("/tasks", headers={"Cookie": cookie})
    if kind == "row":
        return await client.get(f"/tasks/{task}", headers=htmx)
    if kind == "create":
        return await client.post("/tasks", data={"title": CREATE_TITLE}, headers=htmx)
    if kind == "toggle":
        value = "true" if flip % 2 == 0 else "false"
        return await client.post(f"/tasks/{task}/toggle", data={"completed": value}, headers=htmx)
    if kind == "api":
        auth = {"Authorization": f"Bearer {login.bearer}"}
        return await client.get(f"/api/{login.user_id}/tasks/", headers=auth)
    if kind.startswith("/"):
        return await client.get(kind, headers={"Cookie": cookie})
    raise ValueError(kind)


def check(response: httpx.Response, what: str) -> httpx.Response:
    """Only a 200 will do: a 3xx here would be a lost session measured as a fast page."""
    if response.status_code != 200:
        raise BadResponse(
            f"{what}: {response.request.method} {response.request.url} answered "
            f"{response.status_code} {response.headers.get('location', '')}\n{response.text[:2000]}"
        )
    return response


async def body_sizes(base_url: str, kinds: tuple[str, ...], login: Login, baseline: bool) -> dict:
    """Each kind once against a live server: its status must be 200; returns body bytes."""
    sizes: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for kind in kinds:
            response = check(await send(client, kind, login, baseline=baseline), kind)
            sizes[kind] = len(response.content)
    return sizes
