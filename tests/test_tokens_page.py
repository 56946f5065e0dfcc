"""Settings → API tokens: create (shown once), list, revoke; CSRF and ownership."""

import httpx
from bs4 import BeautifulSoup
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, log_in
from webapp.models import ApiToken, User
from webapp.services.session_service import hash_token
from webapp.services.token_service import TokenService
from webapp.services.user_service import UserService

PAGE = "/settings/tokens"


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def rows(page: BeautifulSoup) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in tr.find_all("td")]
        for tr in page.select("table.tokens tbody tr")
    ]


async def create(client: httpx.AsyncClient, name: str, expires: str = "90") -> httpx.Response:
    return await client.post(PAGE, data={"name": name, "expires_in_days": expires})


async def test_page_needs_login(client: httpx.AsyncClient) -> None:
    response = await client.get(PAGE)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_empty_page_has_the_create_form(user_client: httpx.AsyncClient) -> None:
    response = await user_client.get(PAGE)
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "API tokens"
    form = page.find("form", action=PAGE)
    assert form is not None and form["method"] == "post"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    assert page.find("label", attrs={"for": "token-name"}).get_text(strip=True) == "Name"
    assert "You have no tokens yet." in page.get_text()


async def test_new_token_is_shown_once_and_works(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    created = await create(user_client, "  laptop script  ")
    # Post/redirect/get: reloading the page afterwards cannot make a second token.
    assert created.status_code == 303 and created.headers["location"] == PAGE
    response = await user_client.get(PAGE)
    assert "no-store" in response.headers["Cache-Control"]
    page = soup(response)
    raw = page.find("input", id="new-token-value")["value"]
    assert raw.startswith("tm_")
    assert page.find("label", attrs={"for": "new-token-value"}).get_text(strip=True) == "New token"
    assert rows(page)[0][0] == "laptop script" and rows(page)[0][4] == "Active"

    stored = (await session.exec(select(ApiToken))).one()
    assert stored.token_hash == hash_token(raw) and stored.expires_at is not None
    # The page says who the token is for, with a command ready to paste.
    assert page.find(id="user-id").get_text(strip=True) == str(user.id)
    assert f"/api/{user.id}/tasks/" in page.find("pre", class_="curl").get_text()

    # The raw token works for the API...
    api = await user_client.get(
        f"/api/{user.id}/tasks/",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert api.status_code == 200
    # ...and is never shown again.
    again = await user_client.get(PAGE)
    assert raw not in again.text
    assert soup(again).find("input", id="new-token-value") is None
    listed = rows(soup(again))
    assert listed[0][0] == "laptop script" and listed[0][2] != "Never"  # last used now


async def test_never_expiring_token(user_client: httpx.AsyncClient, session: AsyncSession) -> None:
    assert (await create(user_client, "forever", expires="")).status_code == 303
    assert (await session.exec(select(ApiToken))).one().expires_at is None
    assert rows(soup(await user_client.get(PAGE)))[0][3] == "Never"


async def test_invalid_name_rerenders_with_message_and_input(
    user_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await create(user_client, "   ", expires="30")
    assert response.status_code == 422
    page = soup(response)
    name = page.find("input", id="token-name")
    assert name["aria-invalid"] == "true"
    assert page.find(id=name["aria-describedby"]).get_text(strip=True)
    assert page.find("select", id="token-expiry").find("option", selected=True)["value"] == "30"
    assert page.find("input", id="new-token-value") is None

    too_long = "n" * 101
    response = await create(user_client, too_long)
    assert response.status_code == 422
    assert soup(response).find("input", id="token-name")["value"] == too_long
    response = await create(user_client, "ok", expires="-5")
    assert response.status_code == 422
    assert soup(response).find(id="token-expiry-error") is not None
    assert (await session.exec(select(ApiToken))).all() == []


async def test_revoke_stops_the_token_at_once(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    token_row, raw = await TokenService(session).create_token(user.id, "ci")
    keep_row, keep = await TokenService(session).create_token(user.id, "keep")
    page = soup(await user_client.get(PAGE))
    form = page.find("form", action=f"{PAGE}/{token_row.id}/revoke")
    assert form.find("button").get_text(strip=True) == "Revoke"

    response = await user_client.post(form["action"], data={})
    assert response.status_code == 303 and response.headers["location"] == PAGE
    statuses = {r[0]: r[4] for r in rows(soup(await user_client.get(PAGE)))}
    assert statuses == {"ci": "Revoked", "keep": "Active"}

    url = f"/api/{user.id}/tasks/"
    revoked = await user_client.get(url, headers={"Authorization": f"Bearer {raw}"})
    assert revoked.status_code == 401
    kept = await user_client.get(url, headers={"Authorization": f"Bearer {keep}"})
    assert kept.status_code == 200
    # Revoking again is harmless.
    assert (await user_client.post(form["action"], data={})).status_code == 303


async def test_forms_need_the_csrf_token(
    user_client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    token_row, _ = await TokenService(session).create_token(user.id, "ci")
    del user_client.headers["X-CSRF-Token"]
    assert (await create(user_client, "x")).status_code == 403
    response = await user_client.post(f"{PAGE}/{token_row.id}/revoke", data={"csrf_token": "no"})
    assert response.status_code == 403
    assert len((await session.exec(select(ApiToken))).all()) == 1
    assert (await TokenService(session).list_tokens(user.id))[0].revoked_at is None


async def test_cannot_see_or_revoke_another_users_tokens(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    bobs_row, bobs_raw = await TokenService(session).create_token(bob.id, "bob's secret name")
    await log_in(client, session, user)
    assert "bob's secret name" not in (await client.get(PAGE)).text
    for token_id in (bobs_row.id, 0, 999, 2**31):
        response = await client.post(f"{PAGE}/{token_id}/revoke", data={})
        assert response.status_code == 404, token_id
    works = await client.get(
        f"/api/{bob.id}/tasks/", headers={"Authorization": f"Bearer {bobs_raw}"}
    )
    assert works.status_code == 200
