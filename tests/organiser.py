"""The API client of the projects, labels and order tests, and their fixtures: `api`, a
user's token and the paths of their projects and labels; `other_api`, another user's."""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD
from tests.test_api_tasks import Api, _api_for
from webapp.models import User
from webapp.services.user_service import UserService


class Organiser(Api):
    @property
    def projects(self) -> str:
        return f"/api/{self.user.id}/projects/"

    @property
    def labels(self) -> str:
        return f"/api/{self.user.id}/labels/"

    async def project(self, name: str) -> dict:
        response = await self.request("POST", self.projects, json={"name": name})
        assert response.status_code == 201, response.text
        return response.json()

    async def inbox(self) -> dict:
        return (await self.request("GET", self.projects)).json()[0]

    async def titles(self, **params: object) -> list[str]:
        response = await self.request("GET", self.tasks, params=params)
        assert response.status_code == 200, response.text
        return [task["title"] for task in response.json()]


async def organiser(client: httpx.AsyncClient, session: AsyncSession, user: User) -> Organiser:
    api = await _api_for(client, session, user)
    return Organiser(api.client, api.user, api.headers["Authorization"].removeprefix("Bearer "))


@pytest.fixture
async def api(client: httpx.AsyncClient, session: AsyncSession, user: User) -> Organiser:
    return await organiser(client, session, user)


@pytest.fixture
async def other_api(client: httpx.AsyncClient, session: AsyncSession) -> AsyncIterator[Organiser]:
    bob = await UserService(session).create_user("bob@example.com", PASSWORD)
    yield await organiser(client, session, bob)
