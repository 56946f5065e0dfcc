"""The values quick add passes around: the public result, and the candidate tokens the
rules find before the end-of-text rule decides which of them count."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from webapp.services.quick_add.lexer import Word

DATE, TIME, REPEAT = "date", "time", "repeat"
PROJECT, LABEL, PRIORITY = "project", "label", "priority"


@dataclass(frozen=True)
class Span:
    """One recognised token: [start, end) into the input, its kind and its text."""

    start: int
    end: int
    kind: str  # date, time, repeat, project, label or priority
    text: str


@dataclass(frozen=True)
class ParsedTask:
    title: str
    due_date: date | None = None
    due_at: datetime | None = None
    recurrence: str | None = None
    repeat_from: str | None = None
    labels: tuple[str, ...] = ()
    project: str | None = None
    missing_project: str | None = None
    priority: str | None = None
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Context:
    """The words and the clock every rule reads. `now` is in the user's zone."""

    words: tuple[Word, ...]
    now: datetime
    zone: ZoneInfo
    date_order: str

    @property
    def today(self) -> date:
        return self.now.date()

    def word(self, index: int) -> Word | None:
        """The plain word at `index`; None past the end and for quoted or link words."""
        if 0 <= index < len(self.words) and not self.words[index].opaque:
            return self.words[index]
        return None

    def core(self, index: int) -> str:
        """The lower-case word at `index` without trailing punctuation, "" when none."""
        word = self.word(index)
        return word.core if word is not None and word.tag is None else ""


@dataclass(frozen=True)
class Clock:
    """A time of day; `meridiem` says whether am/pm was written (see Tonight)."""

    at: time
    meridiem: bool = True


@dataclass(frozen=True)
class Tonight:
    """Today at 20:00, unless a time is given too: "tonight at 9" is 21:00."""

    day: date


@dataclass(frozen=True)
class RepeatSpec:
    """A repeat as read, before its start is known: RRULE parts by name."""

    freq: str
    interval: int = 1
    byday: tuple[str, ...] = ()
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    from_completion: bool = False


@dataclass(frozen=True)
class RepeatEnd:
    """ "until <date>" or "for N days|weeks|months|years"."""

    until: date | None = None
    length: relativedelta | None = None


@dataclass(frozen=True)
class Repeat:
    spec: RepeatSpec
    end: RepeatEnd | None = None


@dataclass(frozen=True)
class Candidate:
    """A token some rule found, words [first, last). `slots` says what a date/time token
    fills: D (day), T (time of day), R (repeat), E (repeat end); tags fill none.
    `weak` words ("sat", "tom") count only with on/due/by or a time; `tail_only` ones
    ("monthly") only at the end of the text."""

    first: int
    last: int
    kind: str
    value: Any
    slots: frozenset[str] = field(default_factory=frozenset)
    introduced: bool = False
    weak: bool = False
    tail_only: bool = False

    @property
    def temporal(self) -> bool:
        return bool(self.slots)
