"""The verdict: every number against its target, as a table and as bench/results/latest.json.

Why its own module: the measuring code only collects numbers; judging them lives here, in
one place, so a row says "below target" for exactly the reasons the exit status counts.
"""

import json
from pathlib import Path
from typing import Any

from bench.wrkrun import KINDS

NAMES = {
    "list": "list page",
    "row": "row fragment",
    "create": "create",
    "toggle": "toggle",
    "api": "API list",
}
HEADER = (
    f"{'path':<13}{'ours r/s':>9}{'base r/s':>9}{'ratio':>6}{'p50':>7}{'p99':>7}"
    f"{'base p50':>9}{'base p99':>9}{'p99 x':>6}{'err':>5}{'SQL':>4}{'trips':>6}"
    f"{'KB':>6}{'base KB':>8}  verdict"
)


def _path_misses(kind: str, row: dict[str, Any], targets: dict[str, Any]) -> list[str]:
    ours, base, sql = row["ours"], row["baseline"], row["sql"]
    misses = []
    if row["rps_ratio"] < targets["rps_ratio_min"][kind]:
        misses.append(f"r/s {row['rps_ratio']:.2f} < {targets['rps_ratio_min'][kind]}")
    if row["p99_ratio"] > targets["p99_ratio_max"]:
        misses.append(f"p99 {row['p99_ratio']:.1f}x > {targets['p99_ratio_max']}x")
    if ours["errors"] + base["errors"] > targets["errors_max"]:
        misses.append(f"{ours['errors']}+{base['errors']} errors")
    limit = targets["sql_statements_max"].get(kind)
    if limit is not None and sql["statements"] > limit:
        misses.append(f"SQL {sql['statements']} > {limit}")
    if kind == "list" and ours["body_bytes"] > targets["list_page_bytes_max"]:
        misses.append(
            f"{ours['body_bytes'] / 1024:.1f} KB > {targets['list_page_bytes_max'] // 1024}"
        )
    return misses


def _main_table(main: dict[str, Any], targets: dict[str, Any]) -> list[str]:
    missed: list[str] = []
    print(HEADER)
    for kind in KINDS:
        row = main["paths"][kind]
        ours, base = row["ours"], row["baseline"]
        ours["body_bytes"] = main["body_bytes"]["ours"][kind]
        base["body_bytes"] = main["body_bytes"]["baseline"][kind]
        row["sql"] = main["sql"][kind]
        row["rps_ratio"] = ours["rps"] / base["rps"] if base["rps"] else 0.0
        row["p99_ratio"] = ours["p99_ms"] / base["p99_ms"] if base["p99_ms"] else float("inf")
        misses = _path_misses(kind, row, targets)
        row["misses"] = misses
        missed += [f"{NAMES[kind]}: {m}" for m in misses]
        verdict = "below target: " + "; ".join(misses) if misses else "ok"
        print(
            f"{NAMES[kind]:<13}{ours['rps']:>9.1f}{base['rps']:>9.1f}{row['rps_ratio']:>6.2f}"
            f"{ours['p50_ms']:>7.1f}{ours['p99_ms']:>7.1f}{base['p50_ms']:>9.1f}"
            f"{base['p99_ms']:>9.1f}{row['p99_ratio']:>6.1f}{ours['errors'] + base['errors']:>5}"
            f"{row['sql']['statements']:>4}{row['sql']['round_trips']:>6}"
            f"{ours['body_bytes'] / 1024:>6.1f}{base['body_bytes'] / 1024:>8.1f}  {verdict}"
        )
    rps = ", ".join(f"{k} {v}" for k, v in targets["rps_ratio_min"].items())
    print(
        f"(ms; targets: r/s ratio >= {rps}; p99 <= {targets['p99_ratio_max']}x the baseline's;"
        f" 0 errors; SQL <= 3 for list, create, toggle; list page <= 40 KB)"
    )
    return missed


def _line(label: str, value: str, target: str, ok: bool | None) -> bool:
    verdict = "skipped" if ok is None else "ok" if ok else "below target"
    print(f"{label:<42}{value:>26}   target {target:<11}{verdict}")
    return ok is False


def _memory(main: dict[str, Any], quick_add: dict[str, Any], targets: dict[str, Any]) -> list:
    missed = []
    peak, mixed = main["peak_rss_mb"]["ours"], main["mixed"]
    if _line("peak RSS, app (one worker)", f"{peak:.1f} MB", "<= 150 MB", peak <= 150):
        missed.append(f"peak RSS {peak:.1f} MB")
    growth = mixed["rss_growth"]
    label = f"RSS growth, last half of mixed {mixed['seconds']:.0f} s"
    value = f"{mixed['rss_mb_at_half']:.1f} -> {mixed['rss_mb_at_end']:.1f} MB"
    if _line(label, f"{value} {growth:+.1%}", "<= +5 %", growth <= targets["rss_growth_max"]):
        missed.append(f"RSS growth {growth:+.1%}")
    label = f"mixed run: {mixed['rps']:.0f} r/s, p99 {mixed['p99_ms']:.0f} ms, errors"
    if _line(label, str(mixed["errors"]), "0", mixed["errors"] <= targets["errors_max"]):
        missed.append(f"mixed run: {mixed['errors']} errors")
    p95 = quick_add.get("p95_ms")
    ok = None if p95 is None else p95 <= targets["quick_add_p95_ms_max"]
    value = f"{p95:.2f} ms" if p95 is not None else "-"
    if _line("quick-add parse, 200 chars, p95", value, "<= 5 ms", ok):
        missed.append(f"quick-add p95 {p95:.2f} ms")
    if ok is None:
        print(f"  (hook skipped: {quick_add['why']})")
    print(f"baseline peak RSS {main['peak_rss_mb']['baseline']:.1f} MB")
    return missed


def _scale(scale: dict[str, Any], targets: dict[str, Any]) -> list[str]:
    print(f"\n{'scale run (one wrk phase each)':<40}{'r/s':>8}{'p50':>7}{'p99':>7}{'err':>5}")
    rows = [
        ("list page, 1,000 tasks in all", "list_1k", None, None),
        ("list page, 1,000,000 tasks in all", "list_1m", "list_1k", "scale_1m_over_1k_max"),
        ("10,000-task user: first page", "first_page", None, None),
        ("10,000-task user: 100th page", "page100", "first_page", "page100_over_first_max"),
        (f"10,000-task user: search {scale['search_word']!r}", "search", "first_page", None),
    ]
    missed = []
    for label, key, versus, target_key in rows:
        phase = scale[key]
        target_key = "search_over_list_max" if key == "search" else target_key
        misses = [f"{phase['errors']} errors"] if phase["errors"] else []
        note = ""
        if versus is not None:
            ratio = phase["p50_ms"] / scale[versus]["p50_ms"]
            limit = targets[target_key]
            scale[f"{key}_ratio"] = ratio
            note = f"p50 {ratio:.3f}x of {versus} (<= {limit}x)"
            if ratio > limit:
                misses.append(f"p50 {ratio:.3f}x > {limit}x")
        verdict = "below target: " + "; ".join(misses) if misses else "ok"
        print(
            f"{label:<40}{phase['rps']:>8.1f}{phase['p50_ms']:>7.1f}{phase['p99_ms']:>7.1f}"
            f"{phase['errors']:>5}  {note}  {verdict}"
        )
        missed += [f"scale {label}: {m}" for m in misses]
    seeded = scale["seed_seconds"]
    print(
        f"(seeding by COPY: 1,000 tasks {seeded['1k']} s, +999,000 {seeded['1m']} s,"
        f" +10,000 {seeded['big']} s)"
    )
    return missed


def print_all(results: dict[str, Any], targets: dict[str, Any]) -> list[str]:
    """Print every table; returns the missed targets (empty: all met)."""
    machine = results["machine"]
    config = results["config"]
    busy = machine["cpu_busy_percent"]
    print(
        f"\n{machine['cpus']} CPUs, {machine['database']} PostgreSQL, {machine['load']};"
        f" CPUs busy before/after the run: {busy['start']:.0f} % / {busy['end']:.0f} %"
    )
    missed: list[str] = []
    if "main" in results:
        print(
            f"{config['users']} users x {config['tasks']} tasks; {config['rounds']} rounds x"
            f" {config['seconds']:.0f} s per path and server (ours, baseline, ours, ...)\n"
        )
        missed += _main_table(results["main"], targets)
        print()
        missed += _memory(results["main"], results["quick_add"], targets)
    if "scale" in results:
        missed += _scale(results["scale"], targets)
    for name, log in results.get("server_logs", {}).items():
        other = log["other_than_client_disconnect"]
        print(
            f"\nbench/results/{name}.log: {log['tracebacks']} tracebacks, {other} not a client"
            " hanging up at a phase's end" + (" <- read them" if other else ""),
            end="",
        )
    print(f"\n\n{len(missed)} targets missed" if missed else "\n\nall targets met")
    return missed


def write_json(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
