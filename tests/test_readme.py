"""The README's sync loop, run as it is printed, against a live server: its copy ends
equal to the server's, through creates, changes and deletes, and an idle poll is a 304."""

import re

import httpx

from tests.conftest import PASSWORD
from webapp.config import PROJECT_ROOT
from webapp.models import User


def readme_sync_loop() -> str:
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text[text.index("**Sync.**") :]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL)[1]


def test_the_readme_sync_loop_keeps_an_equal_copy(live_server: str, user: User) -> None:
    token = httpx.post(
        f"{live_server}/api/auth/token", json={"email": user.email, "password": PASSWORD}
    ).json()["access_token"]
    script: dict = {"BASE": live_server, "ME": user.id, "TOKEN": token}
    exec(readme_sync_loop(), script)  # noqa: S102 (our own README)
    api: httpx.Client = script["api"]
    served = lambda: {t["id"]: t for t in api.get("/tasks/", params={"limit": 200}).json()}  # noqa: E731

    first = api.post("/tasks/", json={"title": "Pay rent"}).json()
    script["sync"]()
    assert script["copy"] == served()
    api.post("/tasks/", json={"title": "Buy milk"})
    api.patch(f"/tasks/{first['id']}", json={"completed": True})
    script["sync"]()
    assert script["copy"] == served()
    api.delete(f"/tasks/{first['id']}")
    script["sync"]()
    assert script["copy"] == served() and first["id"] not in script["copy"]

    # Idle: the loop's next read is the same request as its last, and a 304.
    script["sync"]()
    query = {"sort": "updated", "updated_since": script["since"]}
    idle = api.get("/tasks/", params=query, headers={"If-None-Match": script["tag"]})
    assert idle.status_code == 304
