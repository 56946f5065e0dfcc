"""Which date, time and repeat candidates are tokens: the end-of-text rule.

What Todoist users expect, and where Vikunja over-matches: a date, time or repeat at the
END of the text is a token, while one in the MIDDLE of a title stays literal unless
on/due/by comes right before it or it comes with a time ("Call mom tomorrow at 5pm about
the trip"). "The end" is what is left after the tags (#Project, @label, p1) and the
chips the user dismissed, which may stand anywhere; so in "Pay rent every last friday
#Home p1" the repeat is at the end.

One date, one time of day and one repeat at most are taken: the candidates at the end
first, then the first marked group in the middle if it adds something the end lacks
("Meeting on friday with Bob at 5pm" is Friday at 17:00).
"""

from webapp.services.quick_add.model import Candidate


def choose(
    temporal: list[Candidate], transparent: list[Candidate], word_count: int
) -> list[Candidate]:
    """The temporal candidates that are tokens, in text order. `transparent` candidates
    (tags, dismissed chips) do not stop the end of the text."""
    tail = _tail(temporal, transparent, word_count)
    middle = _first_marked_run([c for c in temporal if c not in tail])
    if middle and not _slots(tail) & _slots(middle):
        tail += middle
    return sorted(tail, key=lambda c: c.first)


def _tail(
    temporal: list[Candidate], transparent: list[Candidate], word_count: int
) -> list[Candidate]:
    """The candidates at the end, nearest the end first."""
    ending_at = {c.last: (c, False) for c in temporal} | {c.last: (c, True) for c in transparent}
    found: list[Candidate] = []
    filled: set[str] = set()
    end = word_count
    while (entry := ending_at.get(end)) is not None:
        c, passed_over = entry
        if not passed_over:
            if c.slots & filled:
                break  # "Meeting friday tomorrow": one date, the later; friday stays
            found.append(c)
            filled |= c.slots
        end = c.first
    # A candidate that cannot stand on its own is literal text, and so is everything
    # before it: the end of the text is just after it. Cutting can take away what made
    # another one valid (the time beside "sat"), hence the loop.
    while bad := [n for n, c in enumerate(found) if not _valid(c, found[n + 1 :], found)]:
        found = found[: bad[0]]
    return found


def _valid(candidate: Candidate, before: list[Candidate], group: list[Candidate]) -> bool:
    if candidate.weak and not (candidate.introduced or "T" in _slots(group)):
        return False
    # "until friday" ends a repeat that comes before it; alone it is just words.
    if candidate.slots == {"E"} and "R" not in _slots(before):
        return False
    return True


def _first_marked_run(middle: list[Candidate]) -> list[Candidate]:
    """The first run of adjacent candidates in the middle that is marked as meant: by
    on/due/by, or by holding a time with its date or repeat."""
    for run in _runs(middle):
        slots = _slots(run)
        marked = any(c.introduced for c in run) or ("T" in slots and bool(slots & {"D", "R"}))
        if marked and all(_valid(c, run[:n], run) for n, c in enumerate(run)):
            return run
    return []


def _runs(middle: list[Candidate]) -> list[list[Candidate]]:
    """Adjacent candidates, split where a slot would be filled twice. A trailing adverb
    ("monthly") is a word like any other in the middle, so it splits runs."""
    runs: list[list[Candidate]] = []
    for c in middle:
        if c.tail_only:
            runs.append([])
            continue
        run = runs[-1] if runs else []
        ends_a_repeat = c.slots != {"E"} or "R" in _slots(run)
        if run and run[-1].last == c.first and not c.slots & _slots(run) and ends_a_repeat:
            run.append(c)
        else:
            runs.append([c])
    return [run for run in runs if run]


def _slots(candidates: list[Candidate]) -> set[str]:
    return {slot for c in candidates for slot in c.slots}
