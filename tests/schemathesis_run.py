"""Schemathesis, every check and phase, against a running server's /openapi.json as one
user: the test suite's run (tests/test_api_schemathesis.py) and a wider one by hand.

    .venv/bin/python -m tests.schemathesis_run BASE_URL TOKEN [MAX_EXAMPLES]

The served schema is used with each `user_id` path parameter narrowed to the token's own
id (an `enum` of one), since for that token every other id is a 403 or a 404. Pinning
the id with schemathesis's `[parameters]` instead makes its coverage phase report the
pinned, valid request as "schema-violating request accepted": it still counts the id as
the part it broke. tests/schemathesis.toml holds the one setting beyond the defaults.
"""

import json
import subprocess
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

CONFIG = Path(__file__).with_name("schemathesis.toml")


def own_id_only(schema: dict, user_id: int) -> dict:
    """The schema with every `user_id` path parameter narrowed to the caller's own id."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "user_id":
                    parameter["schema"] = {"type": "integer", "enum": [user_id]}
    return schema


def run(base: str, token: str, max_examples: int, workdir: Path) -> subprocess.CompletedProcess:
    """schemathesis's own command line, as a script author would run it; its cache
    (.schemathesis/) goes into `workdir`, as does the narrowed schema."""
    auth = {"Authorization": f"Bearer {token}"}
    user_id = httpx.get(f"{base}/api/me", headers=auth).raise_for_status().json()["user_id"]
    schema = workdir / "openapi.json"
    served = httpx.get(f"{base}/openapi.json").raise_for_status().json()
    schema.write_text(json.dumps(own_id_only(served, user_id)))
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG)),
        *("run", str(schema), "--url", base, "--checks", "all"),
        *("--max-examples", str(max_examples), "--seed", "1", "--workers", "1"),
        *("--header", f"Authorization: Bearer {token}"),
        *("--suppress-health-check", "all", "--no-color", "--request-timeout", "30"),
    ]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=3600)


if __name__ == "__main__":
    base, token, *more = sys.argv[1:]
    with TemporaryDirectory() as workdir:
        done = run(base.rstrip("/"), token, int(more[0]) if more else 100, Path(workdir))
    print(done.stdout, done.stderr, sep="")
    sys.exit(done.returncode)
