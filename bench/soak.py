"""`make soak`: mixed load for a long while, the database restarted in the middle.

    .venv/bin/python bench/soak.py [--seconds 600] [--clients 32]

On a PostgreSQL of its own (bench/pgcluster.py: Debian's binaries, a temporary directory, a
free port), migrated and seeded, it serves the app (one uvicorn worker, as `make bench`)
and loads it with Python clients (bench/soakload.py): list pages, htmx fragments, rows,
creates with titles of their own, toggles and API lists. Halfway through it restarts
PostgreSQL (`pg_ctl restart -m fast`). It prints the requests, the answers by status and
the transport errors, when the errors came, the recovery time (from the restart until 10
good answers in a row), the app's memory at start and end, and the lost acknowledged
writes: creates answered with a 200 whose task is not in the database at the end. Exit 1
when a write was lost or the app never recovered.

Why not part of `make test`: it takes ten minutes, and what it measures is the app living
through time and a restart, not a behaviour a test can pin down in a second.
"""

import argparse
import asyncio
import json
import secrets
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pgcluster, seed, servers, soakload

SECRET_KEY = "soak-secret-key-not-for-production"
STREAK = 10  # good answers in a row that count as recovered
BUSY_PERCENT = 10.0
RESULTS = Path(__file__).resolve().parent / "results" / "soak.json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="of load (default 600)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent (default 32)")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=20, help="per user")
    parser.add_argument("--pg-bin", type=Path, default=pgcluster.DEBIAN_BIN)
    parser.add_argument("--json", type=Path, default=RESULTS)
    return parser.parse_args()


class Restart:
    """PostgreSQL restarted `after` seconds into the load, in a thread (pg_ctl blocks)."""

    def __init__(self, server: pgcluster.Cluster, after: float) -> None:
        self.server, self.after = server, after
        self.began = self.back = 0.0
        self.error: BaseException | None = None

    async def run(self) -> None:
        await asyncio.sleep(self.after)
        self.began = time.monotonic()
        try:
            await asyncio.to_thread(self.server.restart)
        except BaseException as exc:  # reported, not raised: the load must finish its run
            self.error = exc
        self.back = time.monotonic()


async def stored(url: str, titles: list[str]) -> set[str]:
    conn = await asyncpg.connect(seed.asyncpg_dsn(url))
    try:
        rows = await conn.fetch("SELECT title FROM tasks WHERE title = ANY($1::text[])", titles)
        return {row["title"] for row in rows}
    finally:
        await conn.close()


async def load_with_restart(
    base_url: str, logins: list[seed.Login], args: argparse.Namespace, restart: Restart
) -> soakload.Load:
    run_id = secrets.token_hex(3)
    load, _ = await asyncio.gather(
        soakload.run(base_url, logins, args.seconds, args.clients, run_id), restart.run()
    )
    return load


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def summarize(
    load: soakload.Load, restart: Restart, started: float, ended: float
) -> dict[str, Any]:
    answers = load.answers
    bad = [a for a in answers if not a.good]
    recovered = soakload.recovery(answers, restart.began, restart.back, STREAK)
    # Errors outside [restart, recovered]: those the restart does not explain.
    window_end = restart.began + recovered if recovered is not None else ended
    stray = [a for a in bad if not (restart.began <= a.ended and a.started <= window_end)]
    latencies = [(a.ended - a.started) * 1000 for a in answers if a.good]
    # Requests per second in each tenth of the run: a slow decline is what a soak looks for.
    tenth = (ended - started) / 10
    per_tenth = Counter(min(9, int((a.ended - started) / tenth)) for a in answers)
    return {
        "rps_by_tenth": [round(per_tenth[i] / tenth) for i in range(10)],
        "seconds": round(ended - started, 1),
        "requests": len(answers),
        "rps": len(answers) / (ended - started),
        "by_kind": dict(Counter(a.kind for a in answers)),
        "answers": dict(sorted(Counter(a.label for a in answers).items())),
        "errors": len(bad),
        "errors_by_kind": dict(Counter(a.kind for a in bad)),
        "errors_outside_restart": len(stray),
        "first_error_s": round(min(a.ended for a in bad) - restart.began, 3) if bad else None,
        "last_error_s": round(max(a.ended for a in bad) - restart.began, 3) if bad else None,
        "restart_at_s": round(restart.began - started, 1),
        "restart_took_s": round(restart.back - restart.began, 3),
        "restart_error": repr(restart.error) if restart.error else None,
        "recovery_s": round(recovered, 3) if recovered is not None else None,
        "p50_ms": soakload.percentile(latencies, 50),
        "p99_ms": soakload.percentile(latencies, 99),
    }


def print_table(out: dict[str, Any]) -> None:
    def row(name: str, value: str) -> None:
        print(f"  {name:<28} {value}")

    print(
        f"soak: {out['seconds']:.0f} s, {out['clients']} clients, {out['users']} users, "
        f"PostgreSQL {out['postgres']} restarted at {out['restart_at_s']:.0f} s"
    )
    if out["cpu_busy_percent"] > BUSY_PERCENT:
        print(f"  (the CPUs were {out['cpu_busy_percent']:.0f} % busy before the run: noisy r/s)")
    kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(out["by_kind"].items()))
    row("requests", f"{out['requests']:,} ({out['rps']:.0f}/s; {kinds})")
    row("r/s by tenth of the run", " ".join(str(n) for n in out["rps_by_tenth"]))
    row("latency of 200s", f"p50 {out['p50_ms']:.1f} ms, p99 {out['p99_ms']:.1f} ms")
    row("answers", ", ".join(f"{k}: {n:,}" for k, n in out["answers"].items()))
    errors = f"{out['errors']:,}"
    if out["errors"]:
        by_kind = ", ".join(f"{k} {n:,}" for k, n in sorted(out["errors_by_kind"].items()))
        errors += (
            f" ({by_kind}), from {out['first_error_s']:+.2f} s to {out['last_error_s']:+.2f} s"
            " of the restart"
        )
    row("errors", errors)
    row("errors not near the restart", f"{out['errors_outside_restart']:,}")
    took = f"pg_ctl restart -m fast took {out['restart_took_s']:.2f} s"
    recovery = out["recovery_s"]
    shown = f"{recovery:.2f} s" if recovery is not None else "NEVER"
    row("recovery", f"{shown} from the restart to {STREAK} good answers in a row ({took})")
    if out["restart_error"]:
        row("restart failed", out["restart_error"])
    row(
        "acknowledged creates",
        f"{out['acknowledged']:,}; lost {out['lost']:,}"
        f" (unacknowledged {out['unacknowledged']:,}, of which stored {out['stored_anyway']:,})",
    )
    row(
        "app RSS",
        f"start {out['rss_start_mb']:.1f} MB, end {out['rss_end_mb']:.1f} MB,"
        f" peak {out['rss_peak_mb']:.1f} MB",
    )
    row("app log", f"{out['log_tracebacks']:,} tracebacks ({out['log']})")


def main() -> int:
    args = parse_args()
    # As `make bench`: say so when other work shares the CPUs, since r/s then means little.
    out: dict[str, Any] = {"clients": args.clients, "users": args.users}
    out["cpu_busy_percent"] = psutil.cpu_percent(interval=1.0)
    with pgcluster.cluster(args.pg_bin) as server:
        out["postgres"] = server.version()
        with seed.fresh_database(server.url(), "soak") as url:
            logins = asyncio.run(
                seed.seed(
                    url,
                    SECRET_KEY,
                    users=args.users,
                    tasks_each=args.tasks,
                    logins=args.users,
                    label="soak",
                )
            )
            log = servers.LOGS / "ours.log"
            log_from = log.stat().st_size if log.exists() else 0
            with servers.serve("ours", url, SECRET_KEY, "/healthz") as app:
                out["rss_start_mb"] = rss_mb(app.process.pid)
                restart = Restart(server, args.seconds / 2)
                print(f"soak: {args.seconds:.0f} s of load, a restart halfway", flush=True)
                started = time.monotonic()
                load = asyncio.run(load_with_restart(app.url, logins, args, restart))
                ended = time.monotonic()
                out["rss_end_mb"] = rss_mb(app.process.pid)
                out["rss_peak_mb"] = app.rss.peak_mb()
                app.check_alive("the soak")
                present = asyncio.run(stored(url, load.acknowledged))
                maybe = asyncio.run(stored(url, load.unacknowledged))
        out |= summarize(load, restart, started, ended)
        out["acknowledged"] = len(load.acknowledged)
        out["lost"] = len(load.acknowledged) - len(present)
        out["lost_titles"] = sorted(set(load.acknowledged) - present)[:20]
        out["unacknowledged"] = len(load.unacknowledged)
        out["stored_anyway"] = len(maybe)
    text = log.read_bytes()[log_from:].decode(errors="replace") if log.exists() else ""
    out["log"] = str(log)
    out["log_tracebacks"] = text.count("Traceback (most recent call last)")
    print_table(out)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.json}")
    failed = out["lost"] or out["recovery_s"] is None or out["restart_error"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
