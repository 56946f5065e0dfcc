"""The soak's clients: a few dozen asyncio workers, each an httpx client sending one request
after another, of a kind drawn from MIX, as the seeded users in turn.

Why Python clients rather than wrk: every answer is kept (kind, status, when), so the run
can say which errors came when, how long recovery took, and above all which creates the
app acknowledged: each create has a title of its own, and every title answered with a 200
must be in the database at the end.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field

import httpx

from bench.seed import Login

# (kind, weight): pages and fragments, writes, the API.
MIX = (("list", 20), ("fragment", 15), ("row", 20), ("create", 20), ("toggle", 15), ("api", 10))
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
# After a failed answer a worker waits this long: a database that is down must not turn
# the clients into a busy loop of instant 500s (a real browser does not retry at once).
PAUSE_AFTER_ERROR = 0.1
TIMEOUT = 10.0


@dataclass(frozen=True)
class Answer:
    kind: str
    started: float  # time.monotonic()
    ended: float
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    error: str | None = None  # the transport error's class name

    @property
    def good(self) -> bool:
        # Only a 200: a redirect here would be a lost session (to /login), not a page.
        return self.status == 200

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else f"transport: {self.error}"


@dataclass
class Load:
    answers: list[Answer] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # titles answered with a 200
    unacknowledged: list[str] = field(default_factory=list)  # the other creates' titles


async def _send(
    client: httpx.AsyncClient, kind: str, login: Login, n: int, title: str
) -> httpx.Response:
    task = login.task_ids[n % len(login.task_ids)]
    htmx = {
        **HTMX,
        "HX-Current-URL": f"{str(client.base_url).rstrip('/')}/tasks",
        "Cookie": login.cookie,
        "X-CSRF-Token": login.csrf,
    }
    if kind == "list":
        return await client.get("/tasks", headers={"Cookie": login.cookie})
    if kind == "fragment":  # a filter link clicked: the list and counts, no page
        status = ("active", "completed", "all")[n % 3]
        return await client.get("/tasks", params={"status": status}, headers=htmx)
    if kind == "row":
        return await client.get(f"/tasks/{task}", headers=htmx)
    if kind == "create":
        return await client.post("/tasks", data={"title": title}, headers=htmx)
    if kind == "toggle":
        completed = "true" if (n // len(login.task_ids)) % 2 == 0 else "false"
        return await client.post(
            f"/tasks/{task}/toggle", data={"completed": completed}, headers=htmx
        )
    if kind == "api":
        auth = {"Authorization": f"Bearer {login.bearer}"}
        return await client.get(f"/api/{login.user_id}/tasks/", headers=auth)
    raise ValueError(kind)


async def _worker(
    number: int, base_url: str, logins: list[Login], deadline: float, run_id: str, load: Load
) -> None:
    rng = random.Random(number)
    kinds, weights = zip(*MIX, strict=True)
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as client:
        n = 0
        while time.monotonic() < deadline:
            login = logins[(number + n * 7) % len(logins)]
            kind = rng.choices(kinds, weights)[0]
            title = f"soak {run_id} c{number} n{n}"
            client.cookies.clear()  # each request is one user's: nothing carried over
            started = time.monotonic()
            try:
                response = await _send(client, kind, login, n, title)
                answer = Answer(kind, started, time.monotonic(), response.status_code)
            except httpx.TransportError as exc:
                answer = Answer(kind, started, time.monotonic(), None, type(exc).__name__)
            load.answers.append(answer)
            if kind == "create":
                (load.acknowledged if answer.good else load.unacknowledged).append(title)
            n += 1
            if not answer.good:
                await asyncio.sleep(PAUSE_AFTER_ERROR)


async def run(
    base_url: str, logins: list[Login], seconds: float, clients: int, run_id: str
) -> Load:
    """`clients` workers for `seconds`; every answer and every create's title."""
    load = Load()
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(_worker(i, base_url, logins, deadline, run_id, load) for i in range(clients))
    )
    return load


def recovery(answers: list[Answer], began: float, back: float, streak: int = 10) -> float | None:
    """Seconds from the restart's start (`began`) until `streak` good answers in a row, among
    the requests sent once the database was accepting connections again (`back`): answers
    in flight during the restart say nothing of recovery. None if it never came."""
    after = sorted((a for a in answers if a.started >= back), key=lambda a: a.ended)
    run = 0
    for answer in after:
        run = run + 1 if answer.good else 0
        if run == streak:
            return answer.ended - began
    return None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]
