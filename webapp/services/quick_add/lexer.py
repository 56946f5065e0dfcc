"""Quick-add text cut into words, with the parts that must never be parsed set aside.

Double-quoted text, URLs and e-mail addresses are opaque words: they stay in the title
as typed and no rule may look inside them or use them (a `#` in a URL is no project,
the `@` of an address no label). `@"two words"` and `#"Two words"` are single tag words.
Words are runs of non-space characters, so every token is made of whole words and
removing tokens never glues two title words together.
"""

import re
from dataclasses import dataclass

# Sentence punctuation stuck to a word's end: rules match the word without it, and it
# goes with the token ("Call mom tomorrow." has the title "Call mom").
TRAILING = ".,;:!?"
QUOTES = '"“”'  # phones type curly quotes

_WORD = re.compile(r"\S+")
_LINK = re.compile(
    r"\b(?:[a-z][a-z0-9+.\-]*://|www\.|mailto:)\S+|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+",
    re.IGNORECASE,
)
_LINK_END = TRAILING + ")]}'" + QUOTES


@dataclass(frozen=True)
class Word:
    start: int
    end: int  # [start, end) into the text, trailing punctuation included
    raw: str
    core: str  # lower case, trailing punctuation removed
    opaque: bool = False  # quoted text or a link: never part of a token
    tag: str | None = None  # "@" or "#" for a quoted tag word, whose name is `name`
    name: str = ""

    @property
    def low(self) -> str:
        return self.raw.lower()

    @property
    def comma(self) -> bool:
        """Ends with a comma, as list items do ("mon, fri")."""
        return "," in self.raw[len(self.raw.rstrip(TRAILING)) :]


@dataclass(frozen=True)
class Lexed:
    words: tuple[Word, ...]
    quoted_whole: str | None  # the inside, when the whole input is one quoted string


def lex(text: str) -> Lexed:
    blocked = bytearray(len(text))  # 1 where a link or a quoted phrase is
    for start, end in _links(text):
        blocked[start:end] = b"\x01" * (end - start)
    quoted, tags = _quotes(text, blocked)
    for start, end in quoted:
        blocked[start:end] = b"\x01" * (end - start)
    # Blank out the inside of quotes so that a quoted phrase is one word however many
    # spaces it holds; positions stay those of the original text.
    scan = list(text)
    for start, end in [*quoted, *((start, end) for start, (end, _) in tags.items())]:
        scan[start:end] = "x" * (end - start)
    words = tuple(
        _word(text, match.span(), blocked, tags) for match in _WORD.finditer("".join(scan))
    )
    lead, whole = len(text) - len(text.lstrip()), text.strip()
    whole_quoted = (lead, lead + len(whole)) in quoted
    return Lexed(words, whole[1:-1] if whole_quoted else None)


def _links(text: str) -> list[tuple[int, int]]:
    """URLs and e-mail addresses, without the punctuation that ends a sentence after one."""
    return [
        (match.start(), match.start() + len(match[0].rstrip(_LINK_END)))
        for match in _LINK.finditer(text)
    ]


def _quotes(
    text: str, blocked: bytearray
) -> tuple[list[tuple[int, int]], dict[int, tuple[int, str]]]:
    """Quoted phrases (quotes included), and quoted tags @"…", #"…" as start → (end, name).
    Quotes pair up in order; a last one without a partner is an ordinary character."""
    marks = [index for index, char in enumerate(text) if char in QUOTES and not blocked[index]]
    quoted: list[tuple[int, int]] = []
    tags: dict[int, tuple[int, str]] = {}
    for opening, closing in zip(marks[::2], marks[1::2], strict=False):
        name = " ".join(text[opening + 1 : closing].split())
        sign = text[opening - 1] if opening else ""
        at_word_start = opening < 2 or text[opening - 2].isspace()
        if sign and sign in "@#" and at_word_start and name:
            tags[opening - 1] = (closing + 1, name)
        else:
            quoted.append((opening, closing + 1))
    return quoted, tags


def _word(
    text: str, span: tuple[int, int], blocked: bytearray, tags: dict[int, tuple[int, str]]
) -> Word:
    start, end = span
    raw = text[start:end]
    core = raw.lower().rstrip(TRAILING)
    tag_end, name = tags.get(start, (0, ""))
    if tag_end and not text[tag_end:end].strip(TRAILING):
        return Word(start, end, raw, core, tag=text[start], name=name)
    # A tag with more than punctuation stuck to it, or a word touching quotes or a link,
    # is kept whole and literal.
    opaque = (
        tag_end > 0
        or any(blocked[start:end])
        or any(tag_start in tags for tag_start in range(start, end))
    )
    return Word(start, end, raw, core, opaque=opaque)
