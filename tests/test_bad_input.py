"""Input PostgreSQL cannot store (NUL characters) is a clear 4xx everywhere, never a 500."""

import httpx

from tests.forms import submit


async def test_search_with_nul_shows_the_list(user_client: httpx.AsyncClient) -> None:
    response = await user_client.get("/tasks", params={"q": "milk\x00"})
    assert response.status_code == 200


async def test_login_with_nul_in_email_is_the_usual_failure(client: httpx.AsyncClient) -> None:
    response = await submit(client, "/login", "/login", email="a\x00@example.com", password="x" * 9)
    assert response.status_code == 400
    assert "Invalid email or password" in response.text


async def test_register_with_nul_in_email_is_a_field_error(client: httpx.AsyncClient) -> None:
    response = await submit(
        client, "/register", "/register", email="a\x00b@example.com", password="a fine passphrase"
    )
    assert response.status_code == 422
    assert "email address" in response.text


async def test_task_with_nul_in_title_is_a_field_error(user_client: httpx.AsyncClient) -> None:
    page = await user_client.get("/tasks")
    assert page.status_code == 200
    response = await user_client.post("/tasks", data={"title": "bad\x00title"})
    assert response.status_code == 422
    assert "control character" in response.text
