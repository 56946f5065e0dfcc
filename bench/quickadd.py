"""Quick-add parser speed: "parsing 200 characters takes under 5 ms at p95".

Pure CPU, no database or server: the parser is called in the bench's own process
over 2,000 inputs of 200 characters that mix title words with tokens of every kind,
so each rule is tried at every position. Run alone with
`.venv/bin/python bench/quickadd.py`; `make bench` reports it beside the HTTP paths.
"""

import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.services.quick_add import parse  # noqa: E402

RUNS = 2000
LENGTH = 200
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
PROJECTS = [f"Project {n}" for n in range(50)] + ["Work", "Home", "Side Project"]
WORDS = (
    "Call mom about the trip and buy milk on friday with Bob review report draft "
    'tomorrow 5pm every last friday #Work @home @"two words" p1 next week in 3 days '
    "27/1 jan 27th at 9:30 every 2 weeks on mon, fri until 1 mar https://x.y/#frag "
    'bob@example.com "Next Friday" monthly sun cream the 5th wave Zoë & <b>report</b>'
).split()


def inputs(count: int = RUNS, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        text = ""
        while len(text) < LENGTH:
            text += rng.choice(WORDS) + " "
        texts.append(text[:LENGTH])
    return texts


def _parse(text: str) -> None:
    parse(text, now=NOW, tz="Europe/Berlin", date_order="DMY", projects=PROJECTS)


def measure() -> dict[str, Any]:
    """{"status": "measured", "p95_ms": ..., "median_ms": ..., "chars": 200}"""
    texts = inputs()
    for text in texts[:50]:  # warm up
        _parse(text)
    times = []
    for text in texts:
        start = time.perf_counter()
        _parse(text)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "status": "measured",
        "p95_ms": statistics.quantiles(times, n=20)[-1],
        "median_ms": statistics.median(times),
        "chars": LENGTH,
    }


if __name__ == "__main__":
    result = measure()
    median, p95 = result["median_ms"], result["p95_ms"]
    print(f"quick add, {LENGTH} chars: median {median:.2f} ms, p95 {p95:.2f} ms")
