"""The JSON API over projects and labels, and the task fields and filters that use them,
on real PostgreSQL: CRUD, the Inbox's 409s, another user's ids as 404s (in a path and in
a body), deleting a project with its tasks moved, labels renamed onto their tasks, and
If-Match pinning a change or a delete to the version read (412)."""

import asyncio

import pytest

from tests import organiser
from tests.organiser import Organiser

PROJECT_FIELDS = {"id", "name", "is_inbox", "archived", "position", "created_at", "updated_at"}
OUT_OF_RANGE = ("0", str(2**31), "9999999999", "abc", "1" * 4301)

api, other_api = organiser.api, organiser.other_api  # the shared fixtures


# /api/{user_id}/projects/


async def test_project_crud(api: Organiser) -> None:
    response = await api.request("POST", api.projects, json={"name": "  Home  "})
    assert response.status_code == 201
    home = response.json()
    assert set(home) == PROJECT_FIELDS
    assert home["name"] == "Home" and not home["is_inbox"] and not home["archived"]
    assert response.headers["Location"] == f"{api.projects}{home['id']}"
    work = await api.project("Work")
    listed = (await api.request("GET", api.projects.rstrip("/"))).json()
    assert [(p["name"], p["is_inbox"]) for p in listed] == [
        ("Inbox", True),
        ("Home", False),
        ("Work", False),
    ]
    assert (await api.request("GET", f"{api.projects}{home['id']}")).json() == home

    renamed = await api.request("PUT", f"{api.projects}{home['id']}", json={"name": "House"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "House"
    archived = await api.request("PUT", f"{api.projects}{home['id']}", json={"archived": True})
    assert archived.json()["archived"] is True and archived.json()["name"] == "House"

    assert (await api.request("DELETE", f"{api.projects}{work['id']}")).status_code == 204
    gone = await api.request("GET", f"{api.projects}{work['id']}")
    assert gone.status_code == 404
    assert gone.json() == {"detail": "Project not found", "code": "not_found"}


async def test_a_taken_name_is_a_409_whatever_its_case(api: Organiser) -> None:
    await api.project("Home")
    work = await api.project("Work")
    for method, url in (("POST", api.projects), ("PUT", f"{api.projects}{work['id']}")):
        response = await api.request(method, url, json={"name": "HOME"})
        assert response.status_code == 409, (method, response.text)
        assert response.json()["code"] == "conflict" and "name" in response.json()["detail"]
    response = await api.request("POST", api.projects, json={"name": "inbox"})
    assert response.status_code == 409


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": "a\x00b"}]
)
async def test_a_bad_project_name_is_a_422(api: Organiser, body: dict) -> None:
    response = await api.request("POST", api.projects, json=body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][:2] == [
        "body",
        "name",
    ]


async def test_the_inbox_cannot_be_renamed_archived_or_deleted(api: Organiser) -> None:
    inbox = await api.inbox()
    url = f"{api.projects}{inbox['id']}"
    for body in ({"name": "Elsewhere"}, {"archived": True}):
        response = await api.request("PUT", url, json=body)
        assert response.status_code == 409 and "Inbox" in response.json()["detail"]
    for params in ({}, {"tasks": "inbox"}, {"tasks": "delete"}):
        assert (await api.request("DELETE", url, params=params)).status_code == 409
    assert await api.inbox() == inbox


async def test_deleting_a_project_with_tasks_needs_a_choice(api: Organiser) -> None:
    home, attic = await api.project("Home"), await api.project("Attic")
    first = await api.create("Paint", project_id=home["id"])
    await api.create("Sweep", project_id=home["id"])
    await api.create("Milk")
    url = f"{api.projects}{home['id']}"
    refused = await api.request("DELETE", url)
    assert refused.status_code == 409
    assert "2 tasks" in refused.json()["detail"] and "tasks=inbox" in refused.json()["detail"]
    assert (await api.request("DELETE", url, params={"tasks": "later"})).status_code == 422
    assert await api.titles(project_id=home["id"], sort="manual") == ["Sweep", "Paint"]

    assert (await api.request("DELETE", url, params={"tasks": "inbox"})).status_code == 204
    inbox = await api.inbox()
    # No task lost, and they keep their order in the Inbox.
    assert await api.titles(project_id=inbox["id"], sort="manual") == ["Milk", "Sweep", "Paint"]
    moved = (await api.request("GET", f"{api.tasks}{first['id']}")).json()
    assert moved["project_id"] == inbox["id"] and moved["position"] == first["position"]

    await api.create("Boxes", project_id=attic["id"])
    deleted = await api.request("DELETE", f"{api.projects}{attic['id']}?tasks=delete")
    assert deleted.status_code == 204
    assert sorted(await api.titles()) == ["Milk", "Paint", "Sweep"]


async def test_another_users_project_is_a_404_everywhere(
    api: Organiser, other_api: Organiser
) -> None:
    theirs = await other_api.project("Secret")
    task = await api.create("Mine")
    url = f"{api.projects}{theirs['id']}"
    for method, body in (("GET", None), ("PUT", {"name": "Taken"}), ("DELETE", None)):
        response = await api.request(method, url, json=body)
        assert response.status_code == 404, (method, response.text)
        assert response.json() == {"detail": "Project not found", "code": "not_found"}
    for weird in OUT_OF_RANGE:
        response = await api.request("GET", f"{api.projects}{weird}")
        assert response.status_code == 404, weird
    # As a task's project: neither a task in their project nor a silent move.
    created = await api.request("POST", api.tasks, json={"title": "x", "project_id": theirs["id"]})
    assert created.status_code == 404 and created.json()["detail"] == "Project not found"
    moved = await api.request("PUT", f"{api.tasks}{task['id']}", json={"project_id": theirs["id"]})
    assert moved.status_code == 404 and moved.json()["detail"] == "Project not found"
    assert (await api.request("GET", f"{api.tasks}{task['id']}")).json() == task
    assert await api.titles() == ["Mine"]
    assert await other_api.titles() == []
    assert (await other_api.request("GET", f"{other_api.projects}{theirs['id']}")).json() == theirs
    # Filtering by it lists nothing of anyone's.
    assert await api.titles(project_id=theirs["id"]) == []


async def test_a_projects_list_of_another_user_id_is_403_and_without_token_401(
    api: Organiser, other_api: Organiser
) -> None:
    assert (await api.request("GET", other_api.projects)).status_code == 403
    assert (await api.client.get(api.projects)).status_code == 401
    assert (await api.client.get(api.labels)).status_code == 401


async def test_405s_name_every_method_of_the_path(api: Organiser) -> None:
    response = await api.request("PATCH", api.projects)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    response = await api.request("POST", f"{api.labels}1")
    assert response.headers["Allow"] == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
    response = await api.request("GET", f"{api.tasks}1/move")
    assert response.status_code == 405 and response.headers["Allow"] == "POST, OPTIONS"


# If-Match: a change pinned to the version read


async def test_if_match_pins_a_project_change_to_its_version(api: Organiser) -> None:
    home = await api.project("Home")
    url = f"{api.projects}{home['id']}"
    read = await api.request("GET", url)
    first = read.headers["ETag"]
    assert first == f'"{home["id"]}-1"'
    assert (await api.request("GET", url, headers={"If-None-Match": first})).status_code == 304

    stale = await api.request("PATCH", url, json={"name": "Lost"}, headers={"If-Match": '"0-0"'})
    assert stale.status_code == 412 and stale.headers["ETag"] == first
    assert stale.json() == {
        "detail": "The project has changed since you read it; GET it again",
        "code": "precondition_failed",
    }
    assert (await api.request("GET", url)).json() == read.json()

    renamed = await api.request("PATCH", url, json={"name": "House"}, headers={"If-Match": first})
    assert renamed.status_code == 200 and renamed.json()["name"] == "House"
    second = renamed.headers["ETag"]
    assert second == f'"{home["id"]}-2"' != first
    assert (await api.request("GET", url)).headers["ETag"] == second
    # The tag read before the rename is stale now, weak or strong, alone or in a list.
    for header in (first, f"W/{second}", f'"other", {first}'):
        refused = await api.request(
            "PUT", url, json={"archived": True}, headers={"If-Match": header}
        )
        assert refused.status_code == 412 and refused.headers["ETag"] == second, header
    assert (await api.request("GET", url)).json() == renamed.json()

    listed = await api.request(
        "PUT", url, json={"archived": True}, headers={"If-Match": f'"x", {second}'}
    )
    assert listed.status_code == 200 and listed.headers["ETag"] == f'"{home["id"]}-3"'
    anyone = await api.request("PUT", url, json={"archived": False}, headers={"If-Match": "*"})
    assert anyone.status_code == 200 and anyone.json()["archived"] is False


async def test_a_stale_if_match_deletes_no_project(api: Organiser) -> None:
    home = await api.project("Home")
    await api.create("Paint", project_id=home["id"])
    url = f"{api.projects}{home['id']}"
    old = (await api.request("GET", url)).headers["ETag"]
    current = (await api.request("PUT", url, json={"name": "House"})).headers["ETag"]
    for params in ({}, {"tasks": "inbox"}, {"tasks": "delete"}):
        stale = await api.request("DELETE", url, params=params, headers={"If-Match": old})
        assert stale.status_code == 412 and stale.headers["ETag"] == current, params
    assert (await api.request("GET", url)).json()["name"] == "House"
    assert await api.titles(project_id=home["id"]) == ["Paint"]
    deleted = await api.request(
        "DELETE", url, params={"tasks": "inbox"}, headers={"If-Match": current}
    )
    assert deleted.status_code == 204
    assert (await api.request("GET", url)).status_code == 404


async def test_of_two_renames_against_one_version_one_wins(api: Organiser) -> None:
    home = await api.project("Home")
    url = f"{api.projects}{home['id']}"
    tag = (await api.request("GET", url)).headers["ETag"]
    answers = await asyncio.gather(
        *(
            api.request("PATCH", url, json={"name": name}, headers={"If-Match": tag})
            for name in ("Mine", "Theirs")
        )
    )
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    won = next(answer for answer in answers if answer.status_code == 200)
    lost = next(answer for answer in answers if answer.status_code == 412)
    stored = await api.request("GET", url)
    assert stored.json()["name"] == won.json()["name"]
    assert stored.headers["ETag"] == won.headers["ETag"] == lost.headers["ETag"]
    assert stored.headers["ETag"] == f'"{home["id"]}-2"'


async def test_openapi_documents_if_match_on_projects_and_labels(api: Organiser) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]
    for path, what in (
        ("/api/{user_id}/projects/{project_id}", "project"),
        ("/api/{user_id}/labels/{label_id}", "label"),
    ):
        for method in ("put", "patch", "delete"):
            operation = paths[path][method]
            headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert "if-match" in headers, (path, method)
            failed = operation["responses"]["412"]
            assert f"the {what}'s current ETag" in failed["description"]
            assert failed["headers"]["ETag"]["required"] is True
            content = failed["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
            assert content["example"]["code"] == "precondition_failed"
            assert what in content["example"]["detail"]
        for method in ("get", "put", "patch"):
            assert "ETag" in paths[path][method]["responses"]["200"]["headers"], (path, method)
