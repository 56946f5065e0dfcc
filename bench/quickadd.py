"""HOOK for the quick-add parser (still to come): "parsing 200 characters takes under 5 ms at p95".

Skipped, and reported as skipped, while `webapp.services.quick_add` does not import. Once it
does, its parse function (the first of PARSERS it has) is timed over 1,000 inputs of 200
characters. Adjust PARSERS or `_call` here when the parser's real signature is known.
"""

import importlib
import statistics
import time
from collections.abc import Callable
from typing import Any

PARSERS = ("parse", "parse_quick_add", "parse_task")
RUNS = 1000
SAMPLE = "Call Zoë about the Q3 invoice & the <b>report</b> tomorrow 9am !high #work @office "


def _inputs() -> list[str]:
    return [(f"{i} " + SAMPLE * 3)[:200] for i in range(RUNS)]


def _call(parse: Callable[..., Any], text: str) -> None:
    parse(text)


def measure() -> dict[str, Any]:
    """{"status": "skipped" | "measured", "p95_ms": ..., "why": ...}"""
    try:
        module = importlib.import_module("webapp.services.quick_add")
    except ImportError as exc:
        return {"status": "skipped", "why": f"webapp.services.quick_add: {exc}"}
    parse = next((getattr(module, n) for n in PARSERS if callable(getattr(module, n, None))), None)
    if parse is None:
        return {"status": "skipped", "why": f"no {' / '.join(PARSERS)} in quick_add"}
    times = []
    for text in _inputs():
        start = time.perf_counter()
        _call(parse, text)
        times.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1]
    return {"status": "measured", "parser": parse.__name__, "p95_ms": p95, "chars": 200}
