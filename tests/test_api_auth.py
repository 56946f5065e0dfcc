"""Bearer tokens for the JSON API: getting one, what counts as one, revoking and expiry."""

from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD, log_in
from webapp.models import ApiToken, User
from webapp.models.base import utcnow
from webapp.services.session_service import hash_token
from webapp.services.token_service import LAST_USED_INTERVAL, TokenService
from webapp.services.user_service import UserService


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def get_token(client: httpx.AsyncClient, email: str = "alice@example.com") -> str:
    response = await client.post("/api/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def test_token_for_email_and_password(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    response = await client.post(
        "/api/auth/token", json={"email": " Alice@Example.com ", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["user_id"] == user.id
    assert set(body) == {"access_token", "token_type", "user_id"}
    token = body["access_token"]
    assert token.startswith("tm_") and len(token) > 40

    # Stored only as its hash, named, expiring, and it works.
    stored = (await session.exec(select(ApiToken))).one()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert stored.name == "API login" and stored.expires_at is not None
    listed = await client.get(f"/api/{user.id}/tasks/", headers=bearer(token))
    assert listed.status_code == 200 and listed.json() == []


async def test_wrong_credentials_get_one_message(client: httpx.AsyncClient, user: User) -> None:
    wrong_password = await client.post(
        "/api/auth/token", json={"email": "alice@example.com", "password": "not it at all"}
    )
    unknown_email = await client.post(
        "/api/auth/token", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    expected = {"detail": "Incorrect email or password", "code": "not_authenticated"}
    assert wrong_password.json() == unknown_email.json() == expected


async def test_malformed_credentials_are_just_wrong_credentials(
    client: httpx.AsyncClient, user: User
) -> None:
    for email, password in (("", ""), ("not an email", PASSWORD), ("alice@example.com", "")):
        response = await client.post("/api/auth/token", json={"email": email, "password": password})
        assert response.status_code == 401
        assert response.json() == {
            "detail": "Incorrect email or password",
            "code": "not_authenticated",
        }


async def test_token_request_validation_is_422(client: httpx.AsyncClient) -> None:
    for body in (
        {},
        {"email": "alice@example.com"},
        {"email": 5, "password": "y"},
        {"email": "a\x00@example.com", "password": "y"},
        [],
    ):
        response = await client.post("/api/auth/token", json=body)
        assert response.status_code == 422
        assert isinstance(response.json()["detail"], list)
    response = await client.post(
        "/api/auth/token", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "json_invalid"


async def test_token_login_is_throttled(client: httpx.AsyncClient, user: User) -> None:
    for _ in range(5):
        response = await client.post(
            "/api/auth/token", json={"email": "alice@example.com", "password": "wrong guess"}
        )
        assert response.status_code == 401
    # Now even the right password waits: the limit is per email, not per wrong guess.
    response = await client.post(
        "/api/auth/token", json={"email": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "detail" in response.json()


async def test_missing_and_malformed_authorization_is_401(
    client: httpx.AsyncClient, user: User
) -> None:
    url = f"/api/{user.id}/tasks/"
    for headers in (
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWxpY2U6cGFzcw=="},
        {"Authorization": "Token tm_abc"},
        {"Authorization": "Bearer tm_not-a-real-token"},
        {"Authorization": "Bearer not-even-our-format"},
        {"Authorization": "Bearer " + "tm_" + "x" * 5000},
    ):
        response = await client.get(url, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert isinstance(response.json()["detail"], str)


async def test_session_cookie_does_not_authenticate_the_api(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    await log_in(client, session, user)  # a cookie and the CSRF header, as a browser has
    assert (await client.get("/settings/tokens")).status_code == 200
    for method in ("GET", "POST"):
        response = await client.request(method, f"/api/{user.id}/tasks/", json={"title": "x"})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_revoked_token_fails_on_the_next_request(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    token = await get_token(client)
    url = f"/api/{user.id}/tasks/"
    assert (await client.get(url, headers=bearer(token))).status_code == 200
    stored = (await session.exec(select(ApiToken))).one()
    assert await TokenService(session).revoke_token(user.id, stored.id)
    response = await client.get(url, headers=bearer(token))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


async def test_revoking_is_scoped_to_the_owner(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    other = await UserService(session).create_user("bob@example.com", PASSWORD)
    token = await get_token(client)
    stored = (await session.exec(select(ApiToken))).one()
    assert not await TokenService(session).revoke_token(other.id, stored.id)
    assert (await client.get(f"/api/{user.id}/tasks/", headers=bearer(token))).status_code == 200


async def test_expired_token_is_401(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    token_row, token = await TokenService(session).create_token(
        user.id, "short", lifetime=timedelta(days=1)
    )
    url = f"/api/{user.id}/tasks/"
    assert (await client.get(url, headers=bearer(token))).status_code == 200
    await session.exec(
        update(ApiToken)
        .where(col(ApiToken.id) == token_row.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()
    response = await client.get(url, headers=bearer(token))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


async def test_last_used_is_recorded_at_most_once_a_minute(
    client: httpx.AsyncClient, session: AsyncSession, user: User
) -> None:
    token_row, token = await TokenService(session).create_token(user.id, "script")
    assert token_row.last_used_at is None
    url = f"/api/{user.id}/tasks/"

    async def last_used() -> object:
        query = select(ApiToken.last_used_at).where(ApiToken.id == token_row.id)
        return (await session.exec(query)).one()

    await client.get(url, headers=bearer(token))
    first = await last_used()
    assert first is not None
    await client.get(url, headers=bearer(token))
    assert await last_used() == first  # no write for a second call within the minute

    earlier = utcnow() - LAST_USED_INTERVAL - timedelta(seconds=1)
    await session.exec(
        update(ApiToken).where(col(ApiToken.id) == token_row.id).values(last_used_at=earlier)
    )
    await session.commit()
    await client.get(url, headers=bearer(token))
    assert await last_used() > earlier
