"""Every route of the app, fuzzed: no 5xx, and a refused request changes no stored row.

The routes come from `app.routes`, so a route added later is fuzzed without anyone
remembering to add it here. The field names come from the templates' forms and the
API's schemas. Values are what breaks servers: numbers beyond int32 or of 4,301
digits, NUL, lone surrogates, invalid UTF-8, NaN, megabyte strings, lists where
scalars belong, fields missing or repeated, and the wrong content type.

It runs against the live server (a real uvicorn process), half the time logged in
with a fresh session, a valid CSRF token and a bearer token, so requests get past the
checks into the handlers (pages and API alike), and half the time as an anonymous
visitor. Path ids are drawn from real ones (a task, a project, a label, the user) and
nasty ones.
"""

import asyncio
import json
import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import asyncpg
import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Mount, Route

from tests.conftest import PASSWORD, SECRET, _asyncpg_dsn
from webapp.config import PROJECT_ROOT, Settings
from webapp.main import create_app
from webapp.models import User
from webapp.models.base import utcnow
from webapp.services.session_service import hash_token
from webapp.web import cookies

EXAMPLES_PER_ROUTE = 12

# The rows a refused request must leave alone (sessions and failed-login records are
# bookkeeping of the request itself, not anyone's data).
SNAPSHOT = """
SELECT md5(coalesce((SELECT string_agg(t::text, '|' ORDER BY id) FROM tasks t), ''))
    || md5(coalesce((SELECT string_agg(u::text, '|' ORDER BY id) FROM users u), ''))
    || md5(coalesce((SELECT string_agg(
            concat_ws(',', id, user_id, name, token_hash, expires_at, revoked_at), '|'
            ORDER BY id) FROM api_tokens), ''))
    || md5(coalesce((SELECT string_agg(e::text, '|' ORDER BY id) FROM undo_entries e), ''))
    || md5(coalesce((SELECT string_agg(p::text, '|' ORDER BY id) FROM projects p), ''))
    || md5(coalesce((SELECT string_agg(l::text, '|' ORDER BY id) FROM labels l), ''))
"""

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "2147483648",
    "9" * 4301,
    "1e999",
    "true",
    "null",
    "x" * 1_000_000,
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "/%2e%2e/",
    "é" * 300,
]
NASTY_PATH = [
    "0",
    "-1",
    "2147483647",
    "2147483648",
    "9999999999",
    "1" * 4301,
    "abc",
    "%00",
    "%ED%A0%80",
    "%FF%FE",
    "NaN",
    "1e999",
    "x" * 10_000,
    "..%2F..%2F",
]
EVENT_STREAM = "text/event-stream"
CONTENT_TYPES = ["form", "multipart", "json", "text/plain", "none", "application/xml"]


def form_field_names() -> set[str]:
    """Every field name a form of ours posts."""
    names: set[str] = set()
    for template in (PROJECT_ROOT / "templates").glob("*.html"):
        names |= set(re.findall(r'\bname="([a-z_]+)"', template.read_text()))
    return names


QUERY_NAMES: set[str] = set()  # the API's query parameters, filled in by endpoints()


def endpoints() -> list[tuple[str, str, list[str]]]:
    """(method, path template, body field names) for every route and method of the app."""
    app = create_app(Settings(environment="test", secret_key="x", database_url="postgresql://"))
    QUERY_NAMES.update(
        parameter["name"]
        for operations in app.openapi()["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    )
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.append(("GET", route.path + "/{path}", []))
            continue
        assert isinstance(route, Route), route
        fields: list[str] = []
        if isinstance(route, APIRoute) and route.body_field is not None:
            annotation = route.body_field.field_info.annotation
            fields = list(getattr(annotation, "model_fields", {}))
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                found.append((method, context.path or route.path, fields))
    return found


ENDPOINTS = endpoints()
FIELDS = sorted(
    form_field_names()
    | {f for _, _, fs in ENDPOINTS for f in fs}
    | QUERY_NAMES
    | {"quick", "since"}
)


def json_text(value: object) -> str:
    """JSON as a client might send it, lone surrogates and NaN included."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True)


def form_body(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in pairs
    ).encode() + (b"&title=%FF%FE" if len(pairs) % 3 == 0 else b"")


values = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=50))
fields = st.lists(
    st.tuples(st.sampled_from(FIELDS), values), max_size=8
)  # repeated names and missing ones come for free
json_values = st.one_of(
    values,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(values, max_size=3),
    st.none(),
    st.booleans(),
)


class Fuzzer:
    def __init__(self, base: str, database_url: str, user: User) -> None:
        self.base = base
        self.user_id = user.id
        self.own_ids: list[str] = [str(user.id)]  # and the task, project and label made below
        self.bearer = ""
        self.loop = asyncio.new_event_loop()
        self.db = self.loop.run_until_complete(asyncpg.connect(_asyncpg_dsn(database_url)))
        self.http = httpx.Client(base_url=base, timeout=30)

    def close(self) -> None:
        self.http.close()
        self.loop.run_until_complete(self.db.close())
        self.loop.close()

    def snapshot(self) -> str:
        return self.loop.run_until_complete(self.db.fetchval(SNAPSHOT))

    def fresh_session(self) -> dict[str, str]:
        """A new logged-in session, as a cookie and the CSRF header htmx would send."""
        raw = secrets.token_urlsafe(32)
        now = utcnow()
        self.loop.run_until_complete(
            self.db.execute(
                "INSERT INTO user_sessions (id_hash, user_id, created_at, last_seen_at, "
                "expires_at, user_agent) VALUES ($1, $2, $3, $3, $4, 'fuzz')",
                hash_token(raw),
                self.user_id,
                now,
                now + timedelta(days=1),
            )
        )
        cookie = cookies.signer(SECRET, "session").sign(raw).decode()
        return {
            "Cookie": f"session={cookie}",
            "X-CSRF-Token": cookies.derive_csrf_token(SECRET, "s:" + raw),
            "Authorization": f"Bearer {self.bearer}",
        }

    def send(self, method: str, path: str, body: tuple[str, object], headers: dict) -> int:
        kind, data = body
        content: bytes | None = None
        if kind == "form":
            content = form_body(data)  # type: ignore[arg-type]
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif kind == "multipart":
            boundary = "fuzzboundary"
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                for k, v in data  # type: ignore[union-attr]
            ]
            text = "".join(parts) + f"--{boundary}--\r\n"
            content = text.encode("utf-8", "surrogatepass")
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif kind in ("json", "text/plain", "application/xml"):
            content = json_text(data).encode()
            headers["Content-Type"] = "application/json" if kind == "json" else kind
        query = ""
        if method == "GET" and kind == "form":
            # A URL holds less than a body: values are cut to what a client can send.
            short = [(k, v[:2000]) for k, v in data]  # type: ignore[union-attr]
            query = "?" + form_body(short).decode()
        try:
            with self.http.stream(
                method, path + query, content=content, headers=headers, follow_redirects=False
            ) as response:
                # A live stream (GET /events) never ends: its status and headers are the
                # answer; anything else is read whole.
                if not response.headers.get("content-type", "").startswith(EVENT_STREAM):
                    response.read()
        except httpx.RemoteProtocolError:
            return 400  # the server (h11) refused the request line itself: not a 5xx
        return response.status_code


@pytest.fixture
def fuzzer(live_server: str, database_url: str, user: User) -> Iterator[Fuzzer]:
    http = httpx.Client(base_url=live_server)
    fuzz = Fuzzer(live_server, database_url, user)
    token = http.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
    fuzz.bearer = token.json()["access_token"]
    headers = fuzz.fresh_session()
    api = f"/api/{user.id}"
    project = http.post(f"{api}/projects/", json={"name": "fuzzed"}, headers=headers).json()
    task = http.post(
        f"{api}/tasks/", json={"title": "mine", "labels": ["fuzzed"]}, headers=headers
    ).json()
    label = http.get(f"{api}/labels/", headers=headers).json()[0]
    fuzz.own_ids += [str(task["id"]), str(project["id"]), str(label["id"])]
    http.close()
    yield fuzz
    fuzz.close()


def fill(path: str, real_ids: list[str], choice: st.DataObject) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        pool = real_ids + NASTY_PATH if name.endswith("id") else NASTY_PATH + ["app.css"]
        return choice.draw(st.sampled_from(pool), label=name)

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


@pytest.mark.parametrize(("method", "path", "body_fields"), ENDPOINTS)
def test_no_route_answers_5xx_or_changes_rows_when_it_refuses(
    fuzzer: Fuzzer, method: str, path: str, body_fields: list[str]
) -> None:
    @given(
        choice=st.data(),
        logged_in=st.booleans(),
        kind=st.sampled_from(CONTENT_TYPES),
        form=fields,
        document=st.one_of(
            st.dictionaries(st.sampled_from(body_fields or FIELDS), json_values, max_size=6),
            json_values,
        ),
    )
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def check(
        choice: st.DataObject, logged_in: bool, kind: str, form: list, document: object
    ) -> None:
        url = fill(path, fuzzer.own_ids, choice)
        headers = fuzzer.fresh_session() if logged_in else {}
        body = (kind, form if kind in ("form", "multipart") else document)
        before = fuzzer.snapshot()
        status = fuzzer.send(method, url, body, headers)
        assert status < 500, (method, url[:200], kind, status)
        if 400 <= status < 500:
            assert fuzzer.snapshot() == before, (
                f"{method} {url[:200]} refused ({status}) yet changed rows"
            )

    check()
    # And every nasty path value at least once, whatever Hypothesis happened to draw.
    if "{" in path:
        for nasty in NASTY_PATH:
            url = re.sub(r"\{(\w+)(?::\w+)?\}", nasty.replace("\\", ""), path)
            status = fuzzer.send(method, url, ("form", [("title", "x")]), fuzzer.fresh_session())
            assert status < 500, (method, url[:200], status)


def test_every_route_is_fuzzed() -> None:
    # The parametrisation above is built from app.routes itself; this pins that it found them.
    paths = {path for _, path, _ in ENDPOINTS}
    assert {"/tasks", "/tasks/{task_id:id}/toggle", "/api/{user_id:id}/tasks/", "/login"} <= paths
    assert {
        "/api/{user_id:id}/tasks/{task_id:id}/move",
        "/api/{user_id:id}/projects/",
        "/api/{user_id:id}/projects/{project_id:id}",
        "/api/{user_id:id}/labels/",
        "/api/{user_id:id}/labels/{label_id:id}",
        "/events",
    } <= paths
    assert len(ENDPOINTS) >= 25
