"""The database stops while the app serves, then starts again.

While it is down every request is answered within 2 s: pages with a friendly 503 that
keeps what was typed, the API with a JSON 503 and Retry-After, /healthz with 503. Once it
is back, normal answers within 5 s, with no restart of the app; every create that was
acknowledged is stored.
"""

import time
from pathlib import Path

import httpx

from tests.conftest import app_process
from tests.reliability.conftest import PrivateServer, make_visitor

ANSWER_WITHIN = 2.0
BACK_WITHIN = 5.0


def _timed(client: httpx.Client, method: str, url: str, **kwargs: object) -> httpx.Response:
    start = time.monotonic()
    response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    elapsed = time.monotonic() - start
    assert elapsed < ANSWER_WITHIN, f"{method} {url} took {elapsed:.1f} s"
    return response


async def test_an_outage_is_answered_and_survived(
    private_server: PrivateServer, tmp_path: Path
) -> None:
    visitor = await make_visitor(private_server.url)
    api = f"/api/{visitor.user_id}/tasks/"
    acknowledged: list[str] = []
    with app_process(private_server.url, tmp_path) as base:
        browser = httpx.Client(base_url=base, cookies=visitor.cookies, timeout=10)
        script = httpx.Client(base_url=base, headers=visitor.api_headers, timeout=10)
        hx = visitor.page_headers | {"HX-Request": "true", "HX-Request-Type": "partial"}

        def create(n: int) -> httpx.Response:
            title = f"Outage test {n}"
            response = _timed(script, "POST", api, json={"title": title})
            if response.status_code == 201:
                acknowledged.append(title)
            return response

        for n in range(5):
            assert create(n).status_code == 201
        assert browser.get("/tasks").status_code == 200

        private_server.stop()
        for n in range(5, 15):
            down = create(n)
            assert down.status_code == 503 and down.json()["code"] == "unavailable"
            assert int(down.headers["Retry-After"]) > 0
        page = _timed(browser, "GET", "/tasks")
        assert page.status_code == 503 and "Temporarily unavailable" in page.text
        assert _timed(browser, "GET", "/healthz").status_code == 503
        # A plain form: the answer shows what was typed, with a button to send it again.
        typed = {"title": "Do not lose me", "csrf_token": visitor.csrf}
        kept = _timed(browser, "POST", "/tasks", data=typed)
        assert kept.status_code == 503 and "Do not lose me" in kept.text
        assert 'name="title" value="Do not lose me"' in kept.text
        # htmx: the page stays as it is; the toast says why.
        fragment = _timed(browser, "POST", "/tasks", data={"title": "x"}, headers=hx)
        assert fragment.status_code == 503 and fragment.headers["HX-Retarget"] == "#toast"

        private_server.start()
        restarted = time.monotonic()
        while True:
            if browser.get("/healthz").status_code == 200 and create(100).status_code == 201:
                break
            assert time.monotonic() - restarted < BACK_WITHIN, "not back within 5 s"
        assert browser.get("/tasks").status_code == 200
        assert browser.get("/tasks", headers=hx).status_code == 200

        listed = script.get(api, params={"limit": 200}).json()
        stored = {task["title"] for task in listed}
        assert set(acknowledged) <= stored, set(acknowledged) - stored
        browser.close()
        script.close()
