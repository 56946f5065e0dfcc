"""Schemathesis against /openapi.json of the running app: no 500s, no off-schema answers.

The app runs in its own uvicorn process (`live_server`, shared with the browser tests), so
schemathesis's synchronous HTTP calls meet a real server and real PostgreSQL
and never share the tests' event loop. It authenticates with a real token from
POST /api/auth/token and aims its calls at its own user_id (other ids are only
ever 403, which the isolation tests cover).

Every default check runs but "schema-valid data is accepted": a JSON schema
cannot say that a title must not be blank once trimmed, which strings are
cursors this API issued, or which If-Match is current, so schema-valid
requests rightly get 422 or 412 (documented, and tested in test_api_tasks).

Each operation is driven through `APIOperation.as_strategy` with Hypothesis
directly: schemathesis's pytest plugin (`from_fixture`) does not run under
pytest 9 (it reads `Function._nodeid`, which pytest 9 no longer has).
"""

import httpx
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode, openapi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import PASSWORD
from webapp.models import User

# Bounded: at most this many generated cases per operation and mode; no
# per-example deadline, as a real server over HTTP is slower than Hypothesis's 200 ms.
MAX_EXAMPLES = 25


def test_api_matches_its_openapi_schema(live_server: str, user: User) -> None:
    token = httpx.post(
        f"{live_server}/api/auth/token", json={"email": user.email, "password": PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    # A few real tasks, projects and labels, so the one-item operations also meet ones
    # that exist (a second of each for DELETE, so the others still find theirs).
    api = f"{live_server}/api/{user.id}"
    task_ids = [
        httpx.post(
            f"{api}/tasks/", json={"title": f"t{n}", "labels": [f"l{n}"]}, headers=auth
        ).json()["id"]
        for n in range(5)
    ]
    real = {
        "task_id": task_ids,
        "project_id": [
            httpx.post(f"{api}/projects/", json={"name": f"p{n}"}, headers=auth).json()["id"]
            for n in range(2)
        ],
        "label_id": [label["id"] for label in httpx.get(f"{api}/labels/", headers=auth).json()],
    }

    schema = openapi.from_url(f"{live_server}/openapi.json")
    schema.config.update(headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 19

    for operation in operations:
        fixed: dict | None = {"user_id": user.id} if "{user_id}" in operation.path else None
        runs = [(GenerationMode.POSITIVE, fixed)]
        # Nothing to get wrong without a body or a parameter other than the user_id given
        # and the token (/api/me, the lists of projects and labels): no negative run.
        if operation.body or any(
            parameter.name not in ("user_id", "Authorization")
            for parameter in operation.iter_parameters()
        ):
            runs.append((GenerationMode.NEGATIVE, fixed))
        for name, ids in real.items():
            if "{" + name + "}" in operation.path:
                existing = ids[1] if operation.method.lower() == "delete" else ids[0]
                runs.append((GenerationMode.POSITIVE, {"user_id": user.id, name: existing}))
        for mode, path_parameters in runs:

            @given(case=operation.as_strategy(mode, path_parameters=path_parameters))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            )
            def check(case: Case) -> None:
                case.call_and_validate(headers=auth, excluded_checks=[positive_data_acceptance])

            check()
