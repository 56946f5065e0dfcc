"""The scale run (`make bench SCALE=1`): does the list page stay fast as the data grows?

Why its own module: it needs its own database, grown in steps while our app keeps serving:
20 users x 50 tasks (1,000 in all), then 20,000 users x 50 (1,000,000, by COPY then ANALYZE),
then one user with 10,000 tasks of their own. One wrk phase each: the list page for the
same 20 users at 1,000 and at 1,000,000 tasks; the big user's first page, their 100th page
(reached by following "Load more" 99 times, as a reader would) and a search.
"""

import asyncio
import html
import re
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import quote

import httpx

from bench import probe, seed, servers, wrkrun

SMALL_USERS, PER_USER, TOTAL_USERS, BIG_USER_TASKS, PAGES = 20, 50, 20_000, 10_000, 100
# The "Load more" link, as href= or hx-get= (any attribute order, &amp; escaped or not).
LOAD_MORE = re.compile(r'(?:href|hx-get)="(/tasks\?[^"]*\bafter=[^"]+)"')


async def page_url(base_url: str, login: seed.Login, pages: int) -> str:
    """The URL of page `pages`: the first page, then "Load more" followed pages - 1 times."""
    url = "/tasks"
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for number in range(1, pages):
            response = probe.check(await probe.send(client, url, login), f"page {number}")
            found = LOAD_MORE.search(response.text)
            if found is None:
                raise probe.BadResponse(
                    f"page {number} ({url}) has no Load more link:\n{response.text[-2000:]}"
                )
            url = html.unescape(found.group(1))
    return url


def _phase(
    server: servers.Server, users_file: Path, seconds: float, warmup: float, path: str
) -> wrkrun.Phase:
    server.load("path", users_file, warmup, path=path)
    phase = server.load("path", users_file, seconds, path=path)
    print(
        f"  scale {path[:40]:<40} {phase.rps:8.1f} r/s  p50 {phase.p50_ms:6.1f} ms"
        f"  p99 {phase.p99_ms:6.1f} ms  errors {phase.errors}",
        flush=True,
    )
    return phase


def _seed(url: str, secret_key: str, label: str, **counts: int) -> tuple[list[seed.Login], float]:
    started = time.monotonic()
    logins = asyncio.run(seed.seed(url, secret_key, label=label, **counts))
    return logins, round(time.monotonic() - started, 2)


def run(server_url: str, secret_key: str, seconds: float, warmup: float) -> dict[str, Any]:
    out: dict[str, Any] = {"seed_seconds": {}}
    with seed.fresh_database(server_url, "scale") as url, TemporaryDirectory() as tmp:
        small, out["seed_seconds"]["1k"] = _seed(
            url, secret_key, "s", users=SMALL_USERS, tasks_each=PER_USER, logins=SMALL_USERS
        )
        with servers.serve("ours", url, secret_key, "/healthz") as ours:
            small_file = wrkrun.write_users(Path(tmp) / "small.lua", ours.host, small)
            asyncio.run(probe.body_sizes(ours.url, ("list",), small[0], False))
            out["list_1k"] = _phase(ours, small_file, seconds, warmup, "/tasks").as_dict()

            rest = TOTAL_USERS - SMALL_USERS
            print(f"  seeding {rest} users x {PER_USER} tasks ...", flush=True)
            _, out["seed_seconds"]["1m"] = _seed(
                url, secret_key, "m", users=rest, tasks_each=PER_USER, logins=0
            )
            print(f"  ... {rest * PER_USER:,} rows in {out['seed_seconds']['1m']} s", flush=True)
            out["list_1m"] = _phase(ours, small_file, seconds, warmup, "/tasks").as_dict()

            (big,), out["seed_seconds"]["big"] = _seed(
                url, secret_key, "big", users=1, tasks_each=BIG_USER_TASKS, logins=1
            )
            big_file = wrkrun.write_users(Path(tmp) / "big.lua", ours.host, [big])
            later = asyncio.run(page_url(ours.url, big, PAGES))
            search = f"/tasks?q={quote(seed.SEARCH_WORD)}"
            asyncio.run(probe.body_sizes(ours.url, (later, search), big, False))
            out["page100_url"] = later
            out["first_page"] = _phase(ours, big_file, seconds, warmup, "/tasks").as_dict()
            out["page100"] = _phase(ours, big_file, seconds, warmup, later).as_dict()
            out["search"] = _phase(ours, big_file, seconds, warmup, search).as_dict()
            out["search_word"] = seed.SEARCH_WORD
    return out
