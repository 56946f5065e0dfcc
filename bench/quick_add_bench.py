"""Quick-add parser speed: p95 per parse of 200-character inputs (target: under 5 ms).

    .venv/bin/python bench/quick_add_bench.py [--runs 2000]

Pure CPU, no database or server. Kept out of pytest on purpose: timings belong in a
benchmark, not in assertions that fail on a busy machine. Exits 1 when the target is
missed.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.services.quick_add import parse  # noqa: E402

TARGET_P95_MS = 5.0
LENGTH = 200
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
PROJECTS = [f"Project {n}" for n in range(50)] + ["Work", "Home", "Side Project"]
# Title words and tokens of every kind, so each rule gets tried at every position.
WORDS = (
    "Call mom about the trip and buy milk on friday with Bob review report draft "
    'tomorrow 5pm every last friday #Work @home @"two words" p1 next week in 3 days '
    "27/1 jan 27th at 9:30 every 2 weeks on mon, fri until 1 mar https://x.y/#frag "
    'bob@example.com "Next Friday" monthly sun cream the 5th wave'
).split()


def inputs(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        text = ""
        while len(text) < LENGTH:
            text += rng.choice(WORDS) + " "
        texts.append(text[:LENGTH])
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    texts = inputs(args.runs)
    for text in texts[:50]:  # warm up
        parse(text, now=NOW, tz="Europe/Berlin", date_order="DMY", projects=PROJECTS)
    timings = []
    for text in texts:
        start = time.perf_counter()
        parse(text, now=NOW, tz="Europe/Berlin", date_order="DMY", projects=PROJECTS)
        timings.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"quick add, {LENGTH} chars, {len(timings)} runs: "
        f"median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
        f"max {max(timings):.2f} ms (target p95 < {TARGET_P95_MS} ms)"
    )
    return 0 if p95 < TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
