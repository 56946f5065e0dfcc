"""The JSON API over labels, and task labels as the API takes them: made on first use,
trimmed and counted once whatever their case, renamed and deleted onto every task,
another user's label a 404, and If-Match pinning a rename or a delete to the version
read (412)."""

import asyncio

import pytest

from tests import organiser
from tests.organiser import Organiser
from tests.test_api_projects import OUT_OF_RANGE

api, other_api = organiser.api, organiser.other_api  # the shared fixtures


async def _labels(api: Organiser) -> list[dict]:
    response = await api.request("GET", api.labels)
    assert response.status_code == 200, response.text
    return response.json()


async def test_labels_are_made_on_first_use_and_listed_by_name(api: Organiser) -> None:
    assert await _labels(api) == []
    task = await api.create("Milk", labels=["  shop ", "Errands", "SHOP", "@home"])
    assert task["labels"] == ["Errands", "home", "shop"]
    # A label already there keeps its spelling.
    again = await api.create("Bread", labels=["ERRANDS"])
    assert again["labels"] == ["Errands"]
    labels = await _labels(api)
    assert [(label["name"], label["color"]) for label in labels] == [
        ("Errands", "grey"),
        ("home", "grey"),
        ("shop", "grey"),
    ]
    assert set(labels[0]) == {"id", "name", "color"}
    one = await api.request("GET", f"{api.labels}{labels[0]['id']}")
    assert one.status_code == 200 and one.json() == labels[0]


async def test_put_labels_replaces_them(api: Organiser) -> None:
    task = await api.create("Milk", labels=["shop"])
    response = await api.request("PUT", f"{api.tasks}{task['id']}", json={"labels": ["a", "b"]})
    assert response.status_code == 200 and response.json()["labels"] == ["a", "b"]
    cleared = await api.request("PUT", f"{api.tasks}{task['id']}", json={"labels": []})
    assert cleared.json()["labels"] == []
    kept = await api.request("PUT", f"{api.tasks}{task['id']}", json={"title": "Oat milk"})
    assert kept.json()["labels"] == []


@pytest.mark.parametrize(
    "labels",
    [
        [f"l{n}" for n in range(21)],
        ["x" * 61],
        ["a\x00b"],
        ["a,b"],
        [1],
        [None],
        None,
    ],
)
async def test_bad_labels_are_a_422(api: Organiser, labels: object) -> None:
    for method, url in (("POST", api.tasks), ("PUT", f"{api.tasks}{(await api.create())['id']}")):
        response = await api.request(method, url, json={"title": "x", "labels": labels})
        assert response.status_code == 422, (method, labels, response.text)
        assert response.json()["detail"][0]["loc"][:2] == ["body", "labels"]


async def test_labels_as_one_string_are_comma_separated_names(api: Organiser) -> None:
    # What a form sends, taken from JSON too.
    task = await api.create("Milk", labels="shop, @Errands,, shop")
    assert task["labels"] == ["Errands", "shop"]


async def test_a_lone_surrogate_in_a_label_is_a_422(api: Organiser) -> None:
    content = b'{"title": "x", "labels": ["a\\ud800"]}'
    headers = {"Content-Type": "application/json"}
    response = await api.request("POST", api.tasks, content=content, headers=headers)
    assert response.status_code == 422
    assert await _labels(api) == []


async def test_renaming_a_label_renames_it_on_its_tasks(api: Organiser) -> None:
    task = await api.create("Milk", labels=["shop", "dairy"])
    await api.create("Nails", labels=["hardware"])
    shop = next(label for label in await _labels(api) if label["name"] == "shop")
    url = f"{api.labels}{shop['id']}"
    response = await api.request("PUT", url, json={"name": " Groceries ", "color": "green"})
    assert response.status_code == 200
    assert response.json() == {"id": shop["id"], "name": "Groceries", "color": "green"}
    renamed = (await api.request("GET", f"{api.tasks}{task['id']}")).json()
    assert renamed["labels"] == ["dairy", "Groceries"]
    assert await api.titles(label="groceries") == ["Milk"]
    assert await api.titles(label="shop") == []
    # Onto another label's name: a 409, as on the labels page, not a merge.
    taken = await api.request("PUT", url, json={"name": "HARDWARE"})
    assert taken.status_code == 409 and taken.json()["code"] == "conflict"
    assert (await api.request("PUT", url, json={"color": "mauve"})).status_code == 422


async def test_deleting_a_label_takes_it_off_its_tasks(api: Organiser) -> None:
    task = await api.create("Milk", labels=["shop", "dairy"])
    shop = next(label for label in await _labels(api) if label["name"] == "shop")
    assert (await api.request("DELETE", f"{api.labels}{shop['id']}")).status_code == 204
    assert (await api.request("GET", f"{api.labels}{shop['id']}")).status_code == 404
    kept = (await api.request("GET", f"{api.tasks}{task['id']}")).json()
    assert kept["labels"] == ["dairy"] and kept["title"] == "Milk"


async def test_another_users_label_is_a_404(api: Organiser, other_api: Organiser) -> None:
    await other_api.create("Theirs", labels=["secret"])
    theirs = (await _labels(other_api))[0]
    url = f"{api.labels}{theirs['id']}"
    for method, body in (("GET", None), ("PUT", {"name": "mine"}), ("DELETE", None)):
        response = await api.request(method, url, json=body)
        assert response.status_code == 404, (method, response.text)
        assert response.json() == {"detail": "Label not found", "code": "not_found"}
    for weird in OUT_OF_RANGE:
        assert (await api.request("GET", f"{api.labels}{weird}")).status_code == 404, weird
    assert await _labels(other_api) == [theirs]
    # Their label's name is no filter of anyone else's tasks.
    await api.create("Mine", labels=["other"])
    assert await api.titles(label="secret") == []


async def test_the_label_filter_finds_any_case_and_refuses_nul(api: Organiser) -> None:
    await api.create("Milk", labels=["Shop"])
    await api.create("Nails")
    assert await api.titles(label="shop") == ["Milk"]
    assert await api.titles(label="SHOP", completed="false") == ["Milk"]
    assert await api.titles(label="") == ["Nails", "Milk"]
    for bad in ("a\x00b", "x" * 61):
        response = await api.request("GET", api.tasks, params={"label": bad})
        assert response.status_code == 422, bad


async def test_a_refused_task_leaves_no_new_label_behind(
    api: Organiser, other_api: Organiser
) -> None:
    theirs = await other_api.project("Theirs")
    body = {"title": "x", "labels": ["fresh"], "project_id": theirs["id"]}
    assert (await api.request("POST", api.tasks, json=body)).status_code == 404
    task = await api.create("Milk")
    url = f"{api.tasks}{task['id']}"
    assert (await api.request("PUT", url, json=body)).status_code == 404
    stale = await api.request(
        "PUT", url, json={"labels": ["fresh"]}, headers={"If-Match": f'"{task["id"]}-0"'}
    )
    assert stale.status_code == 412
    assert await _labels(api) == []
    assert (await api.request("GET", url)).json() == task


async def test_if_match_pins_a_label_change_to_its_version(api: Organiser) -> None:
    task = await api.create("Milk", labels=["shop"])
    shop = (await _labels(api))[0]
    url = f"{api.labels}{shop['id']}"
    first = (await api.request("GET", url)).headers["ETag"]
    assert first == f'"{shop["id"]}-1"'
    assert (await api.request("GET", url, headers={"If-None-Match": first})).status_code == 304

    stale = await api.request("PATCH", url, json={"name": "lost"}, headers={"If-Match": '"0-0"'})
    assert stale.status_code == 412 and stale.headers["ETag"] == first
    assert stale.json() == {
        "detail": "The label has changed since you read it; GET it again",
        "code": "precondition_failed",
    }
    assert await _labels(api) == [shop]
    assert (await api.request("GET", f"{api.tasks}{task['id']}")).json()["labels"] == ["shop"]

    renamed = await api.request(
        "PATCH", url, json={"name": "Groceries"}, headers={"If-Match": first}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Groceries"
    second = renamed.headers["ETag"]
    assert second == f'"{shop["id"]}-2"' != first
    for header in (first, f"W/{second}"):
        refused = await api.request("PUT", url, json={"color": "red"}, headers={"If-Match": header})
        assert refused.status_code == 412 and refused.headers["ETag"] == second, header
    assert (await api.request("GET", url)).json()["color"] == "grey"
    anyone = await api.request("PUT", url, json={"color": "red"}, headers={"If-Match": "*"})
    assert anyone.status_code == 200 and anyone.headers["ETag"] == f'"{shop["id"]}-3"'


async def test_a_stale_if_match_deletes_no_label(api: Organiser) -> None:
    task = await api.create("Milk", labels=["shop"])
    shop = (await _labels(api))[0]
    url = f"{api.labels}{shop['id']}"
    old = (await api.request("GET", url)).headers["ETag"]
    current = (await api.request("PUT", url, json={"color": "green"})).headers["ETag"]
    stale = await api.request("DELETE", url, headers={"If-Match": old})
    assert stale.status_code == 412 and stale.headers["ETag"] == current
    assert (await api.request("GET", url)).json()["color"] == "green"
    assert (await api.request("GET", f"{api.tasks}{task['id']}")).json()["labels"] == ["shop"]
    assert (await api.request("DELETE", url, headers={"If-Match": current})).status_code == 204
    assert await _labels(api) == []


async def test_of_two_renames_of_a_label_against_one_version_one_wins(api: Organiser) -> None:
    task = await api.create("Milk", labels=["shop"])
    shop = (await _labels(api))[0]
    url = f"{api.labels}{shop['id']}"
    tag = (await api.request("GET", url)).headers["ETag"]
    answers = await asyncio.gather(
        *(
            api.request("PATCH", url, json={"name": name}, headers={"If-Match": tag})
            for name in ("mine", "theirs")
        )
    )
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    won = next(answer for answer in answers if answer.status_code == 200).json()["name"]
    assert [label["name"] for label in await _labels(api)] == [won]
    # Its task was retagged once, from the old name to the winner's.
    assert (await api.request("GET", f"{api.tasks}{task['id']}")).json()["labels"] == [won]
    assert (await api.request("GET", url)).headers["ETag"] == f'"{shop["id"]}-2"'
