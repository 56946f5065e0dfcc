"""Which format an upload is, and the tasks it holds: the one door every import comes in by.

The format is read from the content, never from the file's name (a browser names files
as it likes): a ZIP is a Vikunja export, JSON is this app's export or Vikunja's data.json
(told apart by their shape), and a CSV whose header starts TYPE,CONTENT is Todoist's.
The form may name the format instead; a file of another shape is then refused by that
format's parser, saying what it expected.

Whatever the parser, each task then gets the due a new task would get
(task_repeat.starting_due: a repeat without a due starts on its first day from the
import, and counts from its due unless the file says otherwise), so an imported
repeating task behaves like one typed in.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from webapp.schemas.project import ProjectName
from webapp.services import import_todoist, import_vikunja
from webapp.services.due_dates import Clock
from webapp.services.task_import import (
    UTF8_BOM,
    ImportRefused,
    ParsedFile,
    is_export,
    parse_export,
    read_json,
)
from webapp.services.task_repeat import starting_due

# What the form offers, and what the import page lists as the formats it takes.
FORMATS = {
    "export": "this app's export (JSON, from Settings → Export)",
    "todoist": "a Todoist CSV (a project exported as a template)",
    "vikunja": "a Vikunja export (its ZIP, or the data.json inside it)",
}
# What the preview calls the file it read.
NAMES = {
    "export": "an export of this app",
    "todoist": "a Todoist CSV",
    "vikunja": "a Vikunja export",
}
_PROJECT_NAME = TypeAdapter(ProjectName)
UNKNOWN = (
    "This file is none of the formats this server imports: "
    + "; ".join(FORMATS.values())
    + ". Nothing was imported."
)


@dataclass(frozen=True)
class ImportOptions:
    """What the upload's form and the user add to the file's bytes."""

    clock: Clock  # the user's zone and date order: how a Todoist DATE is read
    now: datetime  # the import's moment: what "tomorrow" counts from
    format: str | None = None  # one of FORMATS; None: read from the content
    filename: str | None = None  # a Todoist CSV's project is named after it ...
    project: str | None = None  # ... unless a name is given


def parse_file(data: bytes, options: ImportOptions) -> ParsedFile:
    """The tasks of an uploaded file in any format we read; ImportRefused otherwise."""
    if not data.strip():
        raise ImportRefused("This file is empty: choose a file to import.")
    kind, document = _detect(data) if options.format is None else (options.format, None)
    if kind == "vikunja":
        parsed = import_vikunja.parse(data, document)
    elif kind == "todoist":
        parsed = import_todoist.parse(data, options.clock, options.now, _project(options))
    elif kind == "export":
        parsed = _parse_export(read_json(data) if document is None else document)
    else:
        raise ImportRefused(UNKNOWN)
    tasks = [task.model_copy(update=starting_due(task, options.clock)) for task in parsed.tasks]
    return ParsedFile(parsed.format, tasks, parsed.notes, parsed.project)


def _parse_export(document: Any) -> ParsedFile:
    if not is_export(document):
        raise ImportRefused(
            "This file is not a task export from this app: its JSON must have "
            '"format": "tasks-export" (Settings → Export makes one).'
        )
    return ParsedFile("export", parse_export(document))


def _project(options: ImportOptions) -> str:
    """A Todoist CSV's project: the name given, else the file's ("Home [2203306141].csv",
    as Todoist names it, is Home), else "Todoist"; checked as a project name typed in."""
    given = (options.project or "").strip()
    name = given or import_todoist.project_from_filename(options.filename or "") or "Todoist"
    try:
        return _PROJECT_NAME.validate_python(name)
    except ValidationError:
        whose = "The project name given" if given else "The file's name, the project's name,"
        raise ImportRefused(
            f"{whose} must be at most 100 characters, without the NUL character: "
            "give a shorter name in “Project” and choose the file again."
        ) from None


def _detect(data: bytes) -> tuple[str, Any]:
    """The format the bytes look like ("" for none we know), and the JSON document when
    it took reading one to tell (so a large file is parsed once)."""
    if import_vikunja.is_zip(data):
        return "vikunja", None
    start = data.removeprefix(UTF8_BOM).lstrip()[:1]
    if start in (b"{", b"["):
        document = read_json(data)
        if import_vikunja.looks_like(document):
            return "vikunja", document
        if isinstance(document, dict) and "format" in document:
            return "export", document  # its parser says which export it is not
        return "", None
    return ("todoist" if import_todoist.looks_like(data) else ""), None
