"""parse(): quick-add text to a task's title, due, repeat, project, labels and priority.

The steps, each in its own module:
  1. lexer:   words, with quoted text, URLs and e-mail addresses set aside as literal;
  2. when, repeat, tags: candidate tokens, read left to right, longest rule first;
  3. choose:  which date/time/repeat candidates count (the end-of-text rule);
  4. resolve: the due and the RRULE they give;
  5. here:    the title is the text without the tokens, whitespace collapsed.

A task needs a title, so when the tokens would leave none the dates, times and repeats
are given back ("tomorrow" is a task called "tomorrow"), and if tags alone were all
there was, nothing is taken ("@home p1" is a task called "@home p1").
"""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from webapp.recurrence import as_zone
from webapp.schemas.task import MAX_LABELS
from webapp.services.quick_add import repeat, tags, when
from webapp.services.quick_add.choose import choose
from webapp.services.quick_add.lexer import lex
from webapp.services.quick_add.model import (
    DATE,
    LABEL,
    PRIORITY,
    PROJECT,
    TIME,
    Candidate,
    Context,
    ParsedTask,
    Span,
)
from webapp.services.quick_add.resolve import When, resolve

DATE_ORDERS = ("DMY", "MDY", "YMD")
_INTRODUCERS = (("due", "on"), ("due", "by"), ("on",), ("by",), ("due",))


def parse(
    text: str,
    *,
    now: datetime,
    tz: str | ZoneInfo,
    date_order: str,
    projects: Iterable[str] = (),
    ignore: Iterable[tuple[int, int]] = (),
) -> ParsedTask:
    """Read quick-add text. `now` is aware ("today" is its date in `tz`); `projects` are
    the user's project names; `ignore` holds the (start, end) spans of chips the user
    dismissed, which stay literal. Any text gives a ParsedTask: nothing in it raises."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}")
    zone = as_zone(tz)
    lexed = lex(text)
    if lexed.quoted_whole is not None:
        return ParsedTask(title=_collapse(lexed.quoted_whole))
    ctx = Context(lexed.words, now.astimezone(zone), zone, date_order)
    # The first of two projects whose names differ only in case wins.
    folded = {name.casefold(): name for name in reversed(list(projects))}
    candidates = _candidates(ctx, folded)
    missing = next((c.value[1] for c in candidates if c.kind == PROJECT and not c.value[0]), None)
    dismissed = _spans(ignore)
    kept = [c for c in candidates if _span(ctx, c) not in dismissed]
    tag_tokens = _tag_tokens(kept)
    passed_over = tag_tokens + [c for c in candidates if _span(ctx, c) in dismissed]
    chosen = choose([c for c in kept if c.temporal], passed_over, len(ctx.words))
    due = resolve(chosen, ctx)
    if due is None:
        chosen, due = [], When()
    for tokens, given in ((tag_tokens + chosen, due), (tag_tokens, When())):
        if title := _title(text, [_span(ctx, c) for c in tokens]):
            return _result(ctx, text, title, tokens, given, missing)
    return ParsedTask(title=_collapse(text), missing_project=missing)


def _candidates(ctx: Context, projects: dict[str, str]) -> list[Candidate]:
    found, i = [], 0
    while i < len(ctx.words):
        candidate = _temporal_at(ctx, i) or tags.tag_at(ctx, i, projects)
        if candidate is None:
            i += 1
        else:
            found.append(candidate)
            i = candidate.last
    return found


def _temporal_at(ctx: Context, i: int) -> Candidate | None:
    """The date, time or repeat at word i, with an on/due/by before it taken along."""
    for words in _INTRODUCERS:
        if all(ctx.core(i + n) == word for n, word in enumerate(words)):
            found = _plain_temporal_at(ctx, i + len(words))
            if found is not None and found.kind != "repeat":
                return Candidate(
                    i, found.last, found.kind, found.value, found.slots, introduced=True
                )
    return _plain_temporal_at(ctx, i)


def _plain_temporal_at(ctx: Context, i: int) -> Candidate | None:
    if found := repeat.repeat_at(ctx, i):
        return found
    if ending := repeat.end_at(ctx, i):
        return Candidate(i, ending[0], "repeat", ending[1], frozenset("E"))
    if found := when.in_at(ctx, i):
        if isinstance(found.value, datetime):
            return Candidate(i, found.end, TIME, found.value, frozenset("DT"))
        return Candidate(i, found.end, DATE, found.value, frozenset("D"))
    if found := when.date_at(ctx, i):
        return Candidate(i, found.end, DATE, found.value, frozenset("D"), weak=found.weak)
    if found := when.time_at(ctx, i):
        return Candidate(i, found.end, TIME, found.value, frozenset("T"))
    return None


def _tag_tokens(candidates: list[Candidate]) -> list[Candidate]:
    """The first MAX_LABELS labels, the first existing project and the first priority
    (later ones stay in the title as typed)."""
    taken, seen, labels = [], set(), set()
    for c in candidates:
        if c.kind == PROJECT and not c.value[0]:
            continue  # no such project: left in the title, named in missing_project
        if c.kind == LABEL and len(labels | {c.value.casefold()}) > MAX_LABELS:
            continue
        if c.kind == LABEL:
            labels.add(c.value.casefold())
        if c.kind == LABEL or (c.kind in (PROJECT, PRIORITY) and c.kind not in seen):
            taken.append(c)
            seen.add(c.kind)
    return taken


def _result(
    ctx: Context, text: str, title: str, tokens: list[Candidate], due: When, missing: str | None
) -> ParsedTask:
    labels: dict[str, str] = {}
    for c in tokens:
        if c.kind == LABEL:
            labels.setdefault(c.value.casefold(), c.value)
    project = next((c.value[0] for c in tokens if c.kind == PROJECT), None)
    priority = next((c.value for c in tokens if c.kind == PRIORITY), None)
    spans = []
    for c in sorted(tokens, key=lambda c: c.first):
        start, end = _span(ctx, c)
        spans.append(Span(start, end, c.kind, text[start:end]))
    return ParsedTask(
        title=title,
        due_date=due.due_date,
        due_at=due.due_at,
        recurrence=due.recurrence,
        repeat_from=due.repeat_from,
        labels=tuple(labels.values()),
        project=project,
        missing_project=missing,
        priority=priority,
        spans=tuple(spans),
    )


def _span(ctx: Context, candidate: Candidate) -> tuple[int, int]:
    return ctx.words[candidate.first].start, ctx.words[candidate.last - 1].end


def _spans(ignore: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """The dismissed spans; entries that are not two whole numbers are disregarded."""
    found = set()
    for entry in ignore:
        if isinstance(entry, tuple | list) and len(entry) == 2:
            if all(isinstance(n, int) and not isinstance(n, bool) for n in entry):
                found.add((entry[0], entry[1]))
    return found


def _title(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, position = [], 0
    for start, end in sorted(spans):
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return _collapse("".join(pieces))


def _collapse(text: str) -> str:
    return " ".join(text.split())
