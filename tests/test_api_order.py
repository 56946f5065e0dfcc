"""The manual order through the JSON API: POST /tasks/{id}/move writes one row, lists
sort by `manual`, `priority` or `created` and page by keyset in each, and the list
keeps its statement count whatever the filters."""

import pytest
from fastapi import FastAPI

from tests import organiser
from tests.organiser import Organiser
from webapp.db import counting_round_trips

api, other_api = organiser.api, organiser.other_api  # the shared fixtures


WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(sent: list[str]) -> list[str]:
    return [sql for sql in sent if sql.lstrip().split()[0].upper() in WRITES]


async def test_a_move_writes_that_one_row(app: FastAPI, api: Organiser) -> None:
    a, b, c = [await api.create(title) for title in ("a", "b", "c")]
    assert await api.titles(sort="manual") == ["c", "b", "a"]
    await api.request("GET", api.tasks)  # the token's last use is noted: not in the count
    with counting_round_trips(app.state.engine) as sent:
        response = await api.request("POST", f"{api.tasks}{c['id']}/move", json={"after": a["id"]})
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["id"] == c["id"] and moved["position"] > a["position"]
    assert moved["project_id"] == c["project_id"] and moved["title"] == "c"
    assert response.headers["ETag"] == f'"{c["id"]}-2"'
    writes = _writes(sent)
    assert len(writes) == 1 and writes[0].lstrip().startswith("UPDATE tasks"), writes
    assert await api.titles(sort="manual") == ["b", "a", "c"]
    before = await api.request("POST", f"{api.tasks}{c['id']}/move", json={"before": b["id"]})
    assert before.status_code == 200
    assert await api.titles(sort="manual") == ["c", "b", "a"]
    # The newest-first order does not move.
    assert await api.titles() == ["c", "b", "a"]


@pytest.mark.parametrize(
    "body",
    [{}, {"after": 1, "before": 2}, {"after": 0}, {"after": 2**31}, {"after": "x"}, {"up": 1}],
)
async def test_a_move_that_names_no_one_place_is_a_422(api: Organiser, body: dict) -> None:
    task = await api.create("a")
    response = await api.request("POST", f"{api.tasks}{task['id']}/move", json=body)
    assert response.status_code == 422, response.text
    assert (await api.request("GET", f"{api.tasks}{task['id']}")).json() == task


async def test_a_move_of_another_users_task_is_a_404_next_to_one_a_409(
    api: Organiser, other_api: Organiser
) -> None:
    mine, theirs = await api.create("mine"), await other_api.create("theirs")
    response = await api.request(
        "POST", f"{api.tasks}{mine['id']}/move", json={"after": theirs["id"]}
    )
    # The same answer as for a task deleted meanwhile: nothing says theirs exists.
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert "next to" in response.json()["detail"]
    response = await api.request(
        "POST", f"{api.tasks}{theirs['id']}/move", json={"after": mine["id"]}
    )
    assert response.status_code == 404 and response.json()["detail"] == "Task not found"
    assert (await api.request("GET", f"{api.tasks}{mine['id']}")).json() == mine
    assert (await other_api.request("GET", f"{other_api.tasks}{theirs['id']}")).json() == theirs
    for weird in ("0", str(2**31), "1" * 4301):
        url = f"{api.tasks}{weird}/move"
        assert (await api.request("POST", url, json={"after": 1})).status_code == 404


async def test_filters_by_project_and_the_order_within_it(api: Organiser) -> None:
    home = await api.project("Home")
    paint = await api.create("Paint", project_id=home["id"])
    await api.create("Milk")
    sweep = await api.create("Sweep", project_id=home["id"], priority="high")
    assert await api.titles(project_id=home["id"]) == ["Sweep", "Paint"]
    await api.request("POST", f"{api.tasks}{sweep['id']}/move", json={"after": paint["id"]})
    assert await api.titles(project_id=home["id"], sort="manual") == ["Paint", "Sweep"]
    assert await api.titles(project_id=home["id"], sort="priority") == ["Sweep", "Paint"]
    # A task moved into another project goes on top there.
    response = await api.request("PUT", f"{api.tasks}{paint['id']}", json={"project_id": None})
    assert response.status_code == 422
    inbox = await api.inbox()
    moved = await api.request("PUT", f"{api.tasks}{paint['id']}", json={"project_id": inbox["id"]})
    assert moved.status_code == 200 and moved.json()["project_id"] == inbox["id"]
    assert await api.titles(project_id=inbox["id"], sort="manual") == ["Paint", "Milk"]
    for bad in ("0", str(2**31), "x"):
        response = await api.request("GET", api.tasks, params={"project_id": bad})
        assert response.status_code == 422, bad


@pytest.mark.parametrize("sort", ["manual", "priority", "created"])
async def test_every_sort_pages_by_keyset(api: Organiser, sort: str) -> None:
    for n in range(7):
        await api.create(f"t{n}", priority=("high", "medium", "low")[n % 3])
    whole = await api.titles(sort=sort, limit=200)
    seen: list[str] = []
    url: str | None = f"{api.tasks}?sort={sort}&limit=3"
    while url:
        response = await api.request("GET", url)
        assert response.status_code == 200, response.text
        seen += [task["title"] for task in response.json()]
        link = response.headers.get("Link")
        url = link.split(">")[0][1:] if link else None
        assert url is None or f"sort={sort}" in url
    assert seen == whole and len(seen) == 7


async def test_a_cursor_keeps_its_own_sort(api: Organiser) -> None:
    for n in range(3):
        await api.create(f"t{n}")
    await api.request("POST", f"{api.tasks}1/move", json={"before": 3})  # manual: t0 t2 t1
    created = await api.request("GET", api.tasks, params={"limit": 1})
    manual = await api.request("GET", api.tasks, params={"limit": 1, "sort": "manual"})
    created_cursor = created.headers["Link"].split("cursor=")[1].split(">")[0]
    manual_cursor = manual.headers["Link"].split("cursor=")[1].split(">")[0]
    for sort, cursor, rest in (
        ("manual", created_cursor, ["t1", "t0"]),
        ("created", manual_cursor, ["t2", "t1"]),
    ):
        response = await api.request("GET", api.tasks, params={"sort": sort, "cursor": cursor})
        assert [t["title"] for t in response.json()] == rest, (sort, cursor)
    bad = await api.request("GET", api.tasks, params={"sort": "sideways"})
    assert bad.status_code == 422


async def test_the_list_keeps_its_statement_count_with_filters(
    app: FastAPI, api: Organiser
) -> None:
    home = await api.project("Home")
    for n in range(5):
        await api.create(f"t{n}", project_id=home["id"], labels=["x"])
    await api.request("GET", api.tasks)  # the token's last use is noted once
    counts = {}
    for name, params in {
        "plain": {},
        "filtered": {"project_id": home["id"], "label": "X", "sort": "manual", "limit": 2},
    }.items():
        with counting_round_trips(app.state.engine) as sent:
            response = await api.request("GET", api.tasks, params=params)
        assert response.status_code == 200
        counts[name] = len(sent)
    # The token (with the user's version, the list's ETag: a 304 needs no page), the page.
    assert counts == {"plain": 2, "filtered": 2}
