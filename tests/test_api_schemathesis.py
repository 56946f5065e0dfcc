"""Schemathesis, every check and every phase, against /openapi.json of the running app:
no finding at all.

The app runs in its own uvicorn process (`live_server`, shared with the browser tests) on
real PostgreSQL, and schemathesis's own command line runs against it as a script author
would run it (tests/schemathesis_run.py: examples, coverage, fuzzing and stateful
links), with a real token from POST /api/auth/token and its own user_id. Bounded: at
most MAX_EXAMPLES generated cases per operation and phase, so it takes a minute; the
README shows a wider run.
"""

from pathlib import Path

import httpx

from tests.conftest import PASSWORD
from tests.schemathesis_run import run
from webapp.models import User

MAX_EXAMPLES = 20


def test_api_matches_its_openapi_schema_under_every_check(
    live_server: str, user: User, tmp_path: Path
) -> None:
    token = httpx.post(
        f"{live_server}/api/auth/token", json={"email": user.email, "password": PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    # A few real tasks, projects and labels, so the one-item operations also meet ones
    # that exist.
    api = f"{live_server}/api/{user.id}"
    for n in range(5):
        httpx.post(f"{api}/tasks/", json={"title": f"t{n}", "labels": [f"l{n}"]}, headers=auth)
    for n in range(2):
        httpx.post(f"{api}/projects/", json={"name": f"p{n}"}, headers=auth)

    result = run(live_server, token, MAX_EXAMPLES, tmp_path)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]
