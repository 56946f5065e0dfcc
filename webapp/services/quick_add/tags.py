"""Tags: #Project, #"Two words", @label, @"two words", and the priorities p1 to p4.

Unlike dates, tags count wherever they stand. A project must already exist (matched
without regard to case); a label may be new, since labels are created on first use.
"""

import re
from collections.abc import Mapping

from webapp.schemas.task import LABEL_LENGTH
from webapp.services.quick_add import vocab
from webapp.services.quick_add.lexer import TRAILING
from webapp.services.quick_add.model import LABEL, PRIORITY, PROJECT, Candidate, Context

# A name starts with a letter, digit or _ and holds a letter: "#5" is an issue number.
_NAME = re.compile(r"(?=.*[^\W\d])\w[^\s@#]*")


def tag_at(ctx: Context, i: int, projects: Mapping[str, str]) -> Candidate | None:
    """The tag at word i. A project's value is (its existing name or None, the name as
    typed); `projects` maps casefolded names to the projects' own."""
    word = ctx.word(i)
    if word is None:
        return None
    if word.tag:
        sign, name = word.tag, word.name
    elif word.core in vocab.PRIORITIES:
        return Candidate(i, i + 1, PRIORITY, vocab.PRIORITIES[word.core])
    else:
        sign, name = word.raw[0], word.raw[1:].rstrip(TRAILING)
        if sign not in ("@", "#") or not _NAME.fullmatch(name):
            return None
    if sign == "@":
        # A name no label may have (too long, or with the comma that separates labels in
        # a form) stays in the title, as typed.
        if len(name) > LABEL_LENGTH or "," in name:
            return None
        return Candidate(i, i + 1, LABEL, name)
    return Candidate(i, i + 1, PROJECT, (projects.get(name.casefold()), name))
