"""The import's upload may be 20 MB; every other path keeps its 64 KiB."""

import json
import uuid
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models import PendingImport
from webapp.web.data import IMPORT_MAX_BODY, IMPORT_PATH
from webapp.web.limits import MAX_BODY


def export_of_size(size: int) -> bytes:
    """A valid export of about `size` bytes (descriptions of 1,000 characters)."""
    one = {"title": "Padding", "description": "d" * 1000}
    count = max(1, size // 1100)
    tasks = [{"uid": str(uuid.uuid4()), **one} for _ in range(count)]
    return json.dumps({"format": "tasks-export", "version": 1, "tasks": tasks}).encode()


async def pending(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(PendingImport))).one()[0]


async def test_an_upload_over_64_kib_is_fine_on_the_import_path_only(
    user_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    data = export_of_size(200 * 1024)
    assert len(data) > 3 * MAX_BODY
    files = {"file": ("tasks.json", data, "application/json")}
    response = await user_client.post(IMPORT_PATH, files=files)
    assert response.status_code == 200, response.text[:300]
    assert "will be added" in response.text
    # The same body anywhere else, the import's confirmation included, is too large.
    for path in (IMPORT_PATH + "/confirm", "/settings/password", "/tasks", "/settings/import/"):
        refused = await user_client.post(path, files=files)
        assert refused.status_code == 413, path
    assert await pending(session) == 1


async def test_a_file_just_over_20_mb_is_a_413(
    user_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert IMPORT_MAX_BODY == 20 * 1024 * 1024
    files = {"file": ("big.json", b" " * (IMPORT_MAX_BODY + 1), "application/json")}
    response = await user_client.post(IMPORT_PATH, files=files)
    assert response.status_code == 413
    assert "20 MB" in response.text
    assert await pending(session) == 0


async def test_a_body_streamed_without_a_length_is_cut_off_at_20_mb(
    user_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    sent = 0
    boundary = "b0undary"

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.json"'
            "\r\nContent-Type: application/json\r\n\r\n"
        ).encode()
        for _ in range(100):  # 100 MB if it were all read
            sent += 1
            yield b" " * (1024 * 1024)

    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = await user_client.post(IMPORT_PATH, content=body(), headers=headers)
    assert response.status_code == 413
    assert sent <= 22, f"{sent} MB read before refusing"
    assert await pending(session) == 0
