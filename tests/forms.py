"""Filling in the app's real forms with httpx, as a browser would."""

import httpx
from bs4 import BeautifulSoup


def form_fields(html: str, action: str) -> dict[str, str]:
    """The name/value pairs a browser would send from the form posting to `action`."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", action=action)
    assert form is not None, f"no form posting to {action}"
    return {
        str(field["name"]): str(field.get("value", ""))
        for field in form.find_all("input")
        if field.get("name") and field.get("type") != "submit"
    }


async def submit(
    client: httpx.AsyncClient, page: str, action: str, **values: str
) -> httpx.Response:
    """Open `page`, fill the form posting to `action` with `values`, submit it."""
    response = await client.get(page)
    assert response.status_code == 200, response.text
    data = form_fields(response.text, action) | values
    return await client.post(action, data=data)


async def log_in_with_form(
    client: httpx.AsyncClient, email: str, password: str, page: str = "/login"
) -> httpx.Response:
    return await submit(client, page, "/login", email=email, password=password)


def text_of(response: httpx.Response) -> str:
    return " ".join(BeautifulSoup(response.text, "html.parser").get_text().split())
