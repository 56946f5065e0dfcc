"""Quick add: the one server-side parser of the New task field, shared by the HTML form,
its live preview and the JSON API, so all three read the same text the same way.

    parse("Pay rent every last friday #Home p1", now=..., tz="Europe/Berlin",
          date_order="DMY", projects=["Home"])
    → ParsedTask(title="Pay rent", due_date=2026-12-25,
                 recurrence="FREQ=MONTHLY;BYDAY=-1FR", repeat_from="due",
                 project="Home", priority="high", spans=(...))

It is pure and deterministic: the clock, zone, date order and projects are arguments.
The grammar is small, English and whole-word (see when.py, repeat.py and tags.py); which
matches count is decided by the end-of-text rule in choose.py.
"""

from webapp.services.quick_add.model import ParsedTask, Span
from webapp.services.quick_add.parser import DATE_ORDERS, parse

__all__ = ["DATE_ORDERS", "ParsedTask", "Span", "parse"]
