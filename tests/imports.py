"""Uploading a file to Settings → Import and reading the answer, as the import tests do."""

import httpx
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.forms import form_fields

PAGE = "/settings/import"
CONFIRM = "/settings/import/confirm"


async def upload(
    client: httpx.AsyncClient,
    data: bytes,
    filename: str = "tasks.json",
    content_type: str = "application/json",
    **extra: str,
) -> httpx.Response:
    files = {"file": (filename, data, content_type)}
    return await client.post(PAGE, files=files, data=extra)


def page_text(response: httpx.Response) -> str:
    return " ".join(BeautifulSoup(response.text, "html.parser").get_text().split())


def alert(response: httpx.Response) -> str:
    found = BeautifulSoup(response.text, "html.parser").find(role="alert")
    assert found is not None, response.text[:500]
    return " ".join(found.get_text().split())


async def count(session: AsyncSession, model: type, *where: object) -> int:
    return (await session.exec(select(func.count()).select_from(model).where(*where))).one()[0]


async def confirm(client: httpx.AsyncClient, preview: httpx.Response) -> httpx.Response:
    return await client.post(CONFIRM, data=form_fields(preview.text, CONFIRM))
