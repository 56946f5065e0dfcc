"""A Todoist CSV: one project, as Todoist's "Export as a template" writes it.

The header is TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,
TIMEZONE,DURATION,DURATION_UNIT,DEADLINE,DEADLINE_LANG; columns are found by name and
any after CONTENT may be missing. What each row becomes:

- `task`: a task in the file's one project. CONTENT is its title, less the inline
  `@label`s, which become its labels; DESCRIPTION its description.
- `note`: a comment on the task above; appended to that task's description, so it is
  not lost (cut at the description's 1,000 characters, and the preview says so).
- `section`, `meta` and blank rows: skipped; a sub-task (INDENT 2 or more) is a task of
  its own. DURATION, DEADLINE, AUTHOR and RESPONSIBLE have nowhere to go here.

PRIORITY is Todoist's stored numbering, inverted from what its apps show: 4 is p1, the
highest, and 1 is p4, the default (as in its API; its help page's table reads the other
way, but an exported p1 task carries 4). So 4 → high, 3 → medium, 2 → low, 1 or empty →
medium, our default. Anything else refuses the file naming its line, like any other bad
task.

DATE is what Todoist shows ("every monday", "tomorrow", "Dec 24 5pm"): read by our own
quick-add parser, in the importing user's zone and date order, relative to the moment of
the import; a date it cannot read keeps the task undated, and the preview names it.

A task's uid comes from the project's name, its place among the file's tasks and its
text, so the same file imported twice adds nothing the second time.
"""

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime

from webapp.services.due_dates import Clock
from webapp.services.quick_add import parse as quick_parse
from webapp.services.quick_add.model import DATE, REPEAT, TIME
from webapp.services.task_import import (
    UTF8_BOM,
    ImportRefused,
    ParsedFile,
    derived_uid,
    refuse_too_many,
    validate_tasks,
)

PRIORITIES = {"4": "high", "3": "medium", "2": "low", "1": "medium", "": "medium"}
SKIPPED = ("meta", "")  # besides sections, which the preview counts
# A word starting with @ (not an e-mail address: nothing may come before the @).
INLINE_LABEL = re.compile(r"(?<!\S)@([^\s,@]+)")
# Todoist adds the project's id to the file's name: "Home [2203306141].csv".
TODOIST_ID = re.compile(r"\s*\[\d+\]$")
# What quick add must read as a title, so that it reads DATE alone as the due.
PLACEHOLDER = "Task"
DESCRIPTION_LENGTH = 1000
MAX_NOTES = 10
# Longer than any date Todoist writes; not worth quick add's time (it reads every word).
DATE_LENGTH = 100


def looks_like(data: bytes) -> bool:
    """Whether the first line is a Todoist header (TYPE,CONTENT,...)."""
    first = data.removeprefix(UTF8_BOM).lstrip(b"\r\n")[:200].split(b"\n", 1)[0]
    cells = [cell.strip(b' "\r').upper() for cell in first.split(b",")[:2]]
    return cells == [b"TYPE", b"CONTENT"]


def project_from_filename(filename: str) -> str:
    """ "C:\\fakepath\\Home [2203306141].csv" → "Home"."""
    name = re.split(r"[\\/]", filename)[-1].strip()
    if name.lower().endswith(".csv"):
        name = name[:-4]
    return TODOIST_ID.sub("", name).strip()


def read_date(text: str, clock: Clock, now: datetime) -> dict | None:
    """DATE as due fields, or None when quick add cannot read all of it as a date or
    repeat (anything it leaves behind, or takes as a label or priority, means no)."""
    if len(text) > DATE_LENGTH:
        return None
    parsed = quick_parse(f"{PLACEHOLDER} {text}", now=now, tz=clock.tz, date_order=clock.date_order)
    dated = parsed.due_date is not None or parsed.due_at is not None
    tokens = all(span.kind in (DATE, TIME, REPEAT) for span in parsed.spans)
    if parsed.title != PLACEHOLDER or not tokens or not (dated or parsed.recurrence):
        return None
    return {
        "due_date": parsed.due_date,
        "due_at": parsed.due_at,
        "recurrence": parsed.recurrence,
        "repeat_from": parsed.repeat_from,
    }


class _Reader:
    """The rows of one file as tasks, with what the preview should say about them."""

    def __init__(self, project: str, clock: Clock, now: datetime) -> None:
        self.project, self.clock, self.now = project, clock, now
        self.tasks: list[dict] = []
        self.lines: list[int] = []
        self.notes: list[str] = []
        self.undated: list[str] = []
        self.skipped = {"section": 0, "note": 0, "cut": 0, "subtask": 0}
        # A project's tasks share few dates ("every monday" on many): each is read once.
        self.dates: dict[str, dict | None] = {}

    def task(self, line: int, cell: dict[str, str]) -> None:
        content = cell["CONTENT"]
        labels = INLINE_LABEL.findall(content)
        title = " ".join(INLINE_LABEL.sub(" ", content).split()) or content
        priority = PRIORITIES.get(cell["PRIORITY"].strip())
        if priority is None:
            raise ImportRefused(
                f"The task on line {line} is not valid: PRIORITY must be 1, 2, 3 or 4 "
                f"(Todoist's p4 to p1), not “{cell['PRIORITY'][:20]}”. Nothing was imported."
            )
        task = {
            "uid": derived_uid("todoist", self.project.casefold(), len(self.tasks), content),
            "title": title,
            "description": cell["DESCRIPTION"] or None,
            "priority": priority,
            "project": self.project,
            "labels": labels,
        }
        if date := cell["DATE"].strip():
            if date not in self.dates:
                self.dates[date] = read_date(date, self.clock, self.now)
            due = self.dates[date]
            if due is None:
                self.undated.append(f"line {line} (“{title[:60]}”: “{date[:60]}”)")
            else:
                task |= due
        if cell["INDENT"].strip() not in ("", "1"):
            self.skipped["subtask"] += 1
        self.tasks.append(task)
        self.lines.append(line)

    def note(self, cell: dict[str, str]) -> None:
        if not self.tasks or not cell["CONTENT"].strip():
            self.skipped["note"] += 1
            return
        task = self.tasks[-1]
        text = "\n\n".join(part for part in (task["description"], cell["CONTENT"]) if part)
        if len(text) > DESCRIPTION_LENGTH:
            text = text[: DESCRIPTION_LENGTH - 1] + "…"
            self.skipped["cut"] += 1
        task["description"] = text

    def summary(self) -> tuple[str, ...]:
        notes = []
        if self.undated:
            shown = "; ".join(self.undated[:MAX_NOTES])
            more = len(self.undated) - MAX_NOTES
            notes.append(
                f"{_count(len(self.undated), 'date')} could not be read, so "
                f"{'its task is' if len(self.undated) == 1 else 'their tasks are'} imported "
                f"without a due date: {shown}{f'; and {more} more' if more > 0 else ''}."
            )
        if sections := self.skipped["section"]:
            notes.append(
                f"{_count(sections, 'section')} skipped: {'its' if sections == 1 else 'their'} "
                "tasks are imported into the project without one."
            )
        if subtasks := self.skipped["subtask"]:
            notes.append(
                f"{_count(subtasks, 'sub-task')} imported as "
                f"{'a task of its own' if subtasks == 1 else 'tasks of their own'}."
            )
        if self.skipped["note"]:
            notes.append(f"{_count(self.skipped['note'], 'comment')} with no task above skipped.")
        if self.skipped["cut"]:
            notes.append(
                f"{_count(self.skipped['cut'], 'description')} with comments added cut at "
                f"{DESCRIPTION_LENGTH:,} characters."
            )
        return tuple(notes)


def _count(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def parse(data: bytes, clock: Clock, now: datetime, project: str) -> ParsedFile:
    """The tasks of a Todoist CSV, into the project named `project`."""
    try:
        text = data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise ImportRefused(
            "This CSV file is not UTF-8 text (Todoist writes UTF-8): nothing was imported."
        ) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    reader = _Reader(project, clock, now)
    try:
        columns = _header(rows)
        line = rows.line_num + 1
        for row in rows:
            cell = {name: (row[i] if i < len(row) else "") for name, i in columns.items()}
            kind = cell["TYPE"].strip().lower()
            if kind == "task":
                refuse_too_many(len(reader.tasks) + 1)
                reader.task(line, cell)
            elif kind == "note":
                reader.note(cell)
            elif kind == "section":
                reader.skipped["section"] += 1
            elif kind not in SKIPPED:
                raise ImportRefused(
                    f"Line {line} has TYPE “{cell['TYPE'][:20]}”: a Todoist CSV has task, "
                    "section and note rows. Nothing was imported."
                )
            line = rows.line_num + 1
    except csv.Error as exc:
        raise ImportRefused(
            f"This CSV file cannot be read near line {rows.line_num} ({exc})."
        ) from None
    if not reader.tasks:
        raise ImportRefused("This Todoist file holds no tasks: there is nothing to import.")
    places = reader.lines
    tasks = validate_tasks(reader.tasks, lambda index: f"The task on line {places[index]}")
    return ParsedFile("todoist", tasks, reader.summary(), project)


def _header(rows: Iterator[list[str]]) -> dict[str, int]:
    """Each column's index by its name (TYPE and CONTENT required, the rest may be
    missing: their cells read as empty). Blank lines before it are passed over."""
    header = next((row for row in rows if any(cell.strip() for cell in row)), [])
    names = [name.strip().upper() for name in header]
    if names[:2] != ["TYPE", "CONTENT"]:
        raise ImportRefused(
            "This CSV file is not a Todoist export: its first line must start TYPE,CONTENT "
            "(Todoist's project menu → Export as a template → CSV makes one)."
        )
    wanted = ("TYPE", "CONTENT", "DESCRIPTION", "PRIORITY", "INDENT", "DATE")
    columns = {name: names.index(name) for name in wanted if name in names}
    return {name: columns.get(name, len(names) + 1_000) for name in wanted}
