"""Sync through the API: a copy kept with `updated_since` and the deletions list ends equal
to the server's, while another script changes and deletes tasks meanwhile.

The two scripts run as concurrent asyncio tasks on the same app, each with its own
client; they take turns only where they await. The syncing one asks each time from the
Sync-Since header of its previous read, as the README's loop does, which also holds
when a writer that began earlier commits later (a transaction held open here). Also:
If-None-Match answers 304 until anything, a delete included, changes; a tombstone goes
once Undo brings a task back.
"""

import asyncio
import random
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import _asyncpg_dsn
from tests.test_api_tasks import Api, _api_for
from webapp.models import User
from webapp.services.task_service import TaskService


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
async def api(client: httpx.AsyncClient, session: AsyncSession, user: User) -> Api:
    return await _api_for(client, session, user)


class Mirror:
    """A sync script's copy: tasks by id, and where each of its two reads left off."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.tasks: dict[int, dict] = {}
        self.since: str | None = None  # None: the first sync reads every task, no deletions

    async def _pages(self, url: str, params: dict) -> tuple[list[dict], str]:
        """Every page's rows, and the first page's Sync-Since."""
        found: list[dict] = []
        response = await self.api.request("GET", url, params=params)
        since = response.headers["Sync-Since"]
        while True:
            assert response.status_code == 200, response.text
            found += response.json()
            link = response.headers.get("Link")
            if not link:
                return found, since
            response = await self.api.request("GET", link.split(">")[0][1:])

    async def sync(self) -> None:
        params = {"sort": "updated", "limit": 3}
        if self.since is not None:
            params["updated_since"] = self.since
        changed, next_since = await self._pages(self.api.tasks, params)
        for task in changed:
            self.tasks[task["id"]] = task
        if self.since is not None:
            gone, _ = await self._pages(
                f"{self.api.tasks}deleted", {"since": self.since, "limit": 2}
            )
            for tombstone in gone:
                self.tasks.pop(tombstone["id"], None)
        self.since = next_since


async def _writer(api: Api, steps: int, seed: int) -> None:
    chance = random.Random(seed)
    ids: list[int] = []
    for step in range(steps):
        roll = chance.random()
        if roll < 0.4 or not ids:
            ids.append((await api.create(f"t{step}"))["id"])
        elif roll < 0.75:
            body = chance.choice([{"completed": True}, {"title": f"r{step}"}, {"labels": ["x"]}])
            method = chance.choice(["PUT", "PATCH"])
            response = await api.request(method, f"{api.tasks}{chance.choice(ids)}", json=body)
            assert response.status_code == 200, response.text
        else:
            victim = ids.pop(chance.randrange(len(ids)))
            assert (await api.request("DELETE", f"{api.tasks}{victim}")).status_code == 204
        await asyncio.sleep(0)  # let the other script run between two requests


async def test_a_copy_synced_meanwhile_ends_equal_to_the_server(api: Api) -> None:
    mirror = Mirror(api)
    writing = asyncio.create_task(_writer(api, 60, seed=16))
    while not writing.done():
        await mirror.sync()
    await writing
    await mirror.sync()
    server, _ = await mirror._pages(api.tasks, {"limit": 200})
    assert mirror.tasks == {task["id"]: task for task in server}
    assert len(server) > 5


async def test_a_writer_committing_late_is_not_missed(api: Api, database_url: str) -> None:
    """A slow writer (an import, say) begins, a quick one commits, a sync reads, and only
    then the slow one commits: its change is older than what the sync saw, yet the sync's
    next read, from Sync-Since, lists it."""
    slow, quick = await api.create("slow"), await api.create("quick")
    mirror = Mirror(api)
    await mirror.sync()
    writer = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        transaction = writer.transaction()
        await transaction.start()
        await writer.execute(
            "UPDATE tasks SET title = 'slow, renamed', updated_at = clock_timestamp() "
            "WHERE user_id = $1 AND id = $2",
            api.user.id,
            slow["id"],
        )
        renamed = await api.request("PATCH", f"{api.tasks}{quick['id']}", json={"title": "q2"})
        assert renamed.status_code == 200
        await mirror.sync()
        assert mirror.tasks[quick["id"]]["title"] == "q2"
        newest_seen = renamed.json()["updated_at"]
        await transaction.commit()
    finally:
        await writer.close()
    await mirror.sync()
    assert mirror.tasks[slow["id"]]["title"] == "slow, renamed"
    # Asking from the newest timestamp seen instead would have missed it for good.
    late = await api.request("GET", api.tasks, params={"updated_since": newest_seen})
    assert slow["id"] not in [task["id"] for task in late.json()]


async def test_if_none_match_is_304_until_anything_changes(api: Api) -> None:
    first = await api.create("a")
    await api.create("b")
    listed = await api.request("GET", api.tasks)
    tag = listed.headers["ETag"]
    assert tag.startswith('W/"')
    again = await api.request("GET", api.tasks, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    # Another query is another list.
    other = await api.request("GET", api.tasks, params={"q": "a"}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and [t["title"] for t in other.json()] == ["a"]
    one = await api.request("GET", f"{api.tasks}{first['id']}")
    single = await api.request(
        "GET", f"{api.tasks}{first['id']}", headers={"If-None-Match": one.headers["ETag"]}
    )
    assert single.status_code == 304
    assert (await api.request("DELETE", f"{api.tasks}{first['id']}")).status_code == 204
    after = await api.request("GET", api.tasks, headers={"If-None-Match": tag})
    assert after.status_code == 200 and [t["title"] for t in after.json()] == ["b"]


async def test_deletions_list_tombstones_until_undo(api: Api, session: AsyncSession) -> None:
    task = await api.create("gone soon")
    since = _iso(datetime.now(UTC) - timedelta(days=1))
    service = TaskService(session)
    changed = await service.delete_task(api.user.id, task["id"])
    listed = await api.request("GET", f"{api.tasks}deleted", params={"since": since})
    assert [(d["id"], d["uid"] is not None) for d in listed.json()] == [(task["id"], True)]
    assert changed.undo_id is not None
    await service.undo(api.user.id, changed.undo_id)
    listed = await api.request("GET", f"{api.tasks}deleted", params={"since": since})
    assert listed.json() == []
    # Older than the tombstones are kept: the list could not be complete.
    expired = await api.request(
        "GET", f"{api.tasks}deleted", params={"since": _iso(datetime.now(UTC) - timedelta(days=31))}
    )
    assert expired.status_code == 410 and expired.json()["code"] == "gone"


async def test_patch_is_the_same_partial_update_as_put(api: Api) -> None:
    task = await api.create("x", priority="low")
    url = f"{api.tasks}{task['id']}"
    patched = await api.request("PATCH", url, json={"completed": True})
    assert patched.status_code == 200
    assert patched.json()["priority"] == "low" and patched.json()["completed"] is True
    refused = await api.request("PATCH", url, json={"completed": None})
    assert refused.status_code == 422 and refused.json()["code"] == "validation_failed"
