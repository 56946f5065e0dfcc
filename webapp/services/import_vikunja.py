"""A Vikunja export: its ZIP (Settings → Export in Vikunja), or the data.json inside it.

data.json is a list of projects, each with a `title` and its `tasks`; each task becomes
one of ours in a project of the same name (found whatever its case, or made; Vikunja's
Inbox is our Inbox). Child projects become projects of their own; a task listed twice
(Vikunja's Favorites) is imported once. What each field becomes:

- `title`, `done`, `labels` [{title}], `created`, `updated`: as they are;
- `description`: Vikunja keeps HTML; its text is kept, paragraphs as blank lines;
- `due_date`: a moment (Vikunja has no date-only due); "0001-01-01T00:00:00Z" is none;
- `priority`: 0 unset and 2 medium → medium, 1 low → low, 3 high, 4 urgent and 5 "do
  now" → high (we have three levels);
- `repeat_after` (seconds) and `repeat_mode`: whole weeks or days become a weekly or
  daily repeat, mode 1 a monthly one, mode 2 counts from the completion; a repeat of
  hours has no equivalent here, and the preview says its task was imported without it.

A task's uid comes from its Vikunja id and creation time, so the same export imported
twice adds nothing the second time.

The ZIP is read within bounds, whatever its headers claim (a zip bomb): at most
MAX_ENTRIES entries listed and MAX_DATA_JSON bytes of data.json inflated.
"""

import io
import zipfile
import zlib
from html.parser import HTMLParser
from typing import Any

from webapp.services.task_import import (
    ImportRefused,
    ParsedFile,
    derived_uid,
    read_json,
    refuse_too_many,
    validate_tasks,
)

MAX_ENTRIES = 100_000
MAX_DATA_JSON = 64 * 1024 * 1024
PRIORITIES = {0: "medium", 1: "low", 2: "medium", 3: "high", 4: "high", 5: "high"}
NO_DATE = "0001-01-01"  # how Go writes its zero time: Vikunja's "no date"
DAY, WEEK = 86_400, 7 * 86_400
MAX_INTERVAL = 999  # the repeat rules' own limit
SHAPE = (
    "A Vikunja data.json is a list of projects, each with a “title” and its “tasks”. "
    "Nothing was imported."
)
BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
MAX_NOTES = 10


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def looks_like(document: Any) -> bool:
    """A list of objects that have a title or tasks: Vikunja's projects."""
    return (
        isinstance(document, list)
        and bool(document)
        and all(
            isinstance(item, dict) and ("tasks" in item or "title" in item) for item in document
        )
    )


def read_archive(data: bytes) -> bytes:
    """data.json out of the export's ZIP, never inflating more than MAX_DATA_JSON."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise ImportRefused(f"This ZIP holds more than {MAX_ENTRIES:,} files.")
            found = [e for e in entries if e.filename.rsplit("/", 1)[-1] == "data.json"]
            if not found:
                raise ImportRefused(
                    "This ZIP has no data.json: choose the ZIP Vikunja's export made, or "
                    "the data.json inside it."
                )
            entry = min(found, key=lambda e: e.filename.count("/"))
            if entry.file_size > MAX_DATA_JSON:
                raise ImportRefused(_too_large())
            with archive.open(entry) as inflating:
                content = inflating.read(MAX_DATA_JSON + 1)
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError) as exc:
        raise ImportRefused(f"This ZIP file cannot be read ({exc}).") from None
    except (zlib.error, ValueError) as exc:
        raise ImportRefused(f"This ZIP file is damaged ({exc}).") from None
    if len(content) > MAX_DATA_JSON:
        raise ImportRefused(_too_large())
    return content


def _too_large() -> str:
    return (
        f"The data.json in this ZIP is over {MAX_DATA_JSON // (1024 * 1024)} MB once "
        "unpacked: too large to import at once."
    )


class _Text(HTMLParser):
    """The text of Vikunja's HTML description, a line break for each block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(description: Any) -> Any:
    """Vikunja's HTML as text; anything not text is passed on for the check to name."""
    if not isinstance(description, str) or "<" not in description:
        return description
    reader = _Text()
    reader.feed(description)
    reader.close()
    lines = [" ".join(line.split()) for line in "".join(reader.parts).split("\n")]
    paragraphs, blank = [], True
    for line in lines:
        if line or not blank:
            paragraphs.append(line)
        blank = not line
    return "\n".join(paragraphs).strip() or None


def _moment(value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.startswith(NO_DATE)):
        return None
    return value


def _repeat(task: dict) -> tuple[dict, bool]:
    """The task's repeat as our fields, and whether one was there that could not be kept."""
    after, mode = task.get("repeat_after") or 0, task.get("repeat_mode") or 0
    if type(after) is not int or type(mode) is not int:  # noqa: E721 (not bools)
        return {}, True
    completion = {"repeat_from": "completion"} if mode == 2 else {}
    if mode == 1:
        return {"recurrence": "FREQ=MONTHLY", "repeat_from": "due"}, False
    if after <= 0:
        return {}, False
    for length, freq in ((WEEK, "WEEKLY"), (DAY, "DAILY")):
        if after % length == 0 and after // length <= MAX_INTERVAL:
            return {"recurrence": f"FREQ={freq};INTERVAL={after // length}"} | completion, False
    return {}, True


def _task(project: Any, index: int, task: Any) -> dict | Any:
    if not isinstance(task, dict):
        return task  # the check says each task must be an object
    priority = task.get("priority") or 0
    labels = task.get("labels") or []
    if isinstance(labels, list):
        labels = [label.get("title") if isinstance(label, dict) else label for label in labels]
    key = (task["id"], task.get("created")) if type(task.get("id")) is int else (project, index)  # noqa: E721
    return {
        "uid": derived_uid("vikunja", *key),
        "title": task.get("title"),
        "description": plain_text(task.get("description")),
        "completed": bool(task.get("done")) if task.get("done") in (True, False, None) else 0,
        "priority": PRIORITIES.get(priority, priority) if type(priority) is int else priority,  # noqa: E721
        "project": project,
        "labels": labels,
        "due_at": _moment(task.get("due_date")),
        "created_at": _moment(task.get("created")),
        "updated_at": _moment(task.get("updated")),
    }


def parse(data: bytes, document: Any = None) -> ParsedFile:
    """The tasks of a Vikunja export: `data` the ZIP or data.json (`document` when
    already read)."""
    if document is None:
        document = read_json(read_archive(data) if is_zip(data) else data)
    if not looks_like(document):
        raise ImportRefused(SHAPE)
    tasks, places, seen, unkept = [], [], set(), []
    for project in document:
        title, listed = project.get("title"), project.get("tasks") or []
        if not isinstance(title, str) or not isinstance(listed, list):
            raise ImportRefused(SHAPE)
        refuse_too_many(len(tasks) + len(listed))
        for index, raw in enumerate(listed):
            task = _task(title, index, raw)
            if isinstance(task, dict):
                if task["uid"] in seen:
                    continue
                seen.add(task["uid"])
                repeat, lost = _repeat(raw)
                task |= repeat
                if lost:
                    unkept.append(f"“{str(task['title'])[:60]}”")
            tasks.append(task)
            places.append(f"The task at index {index} of the project “{title[:60]}”")
    if not tasks:
        raise ImportRefused("This Vikunja export holds no tasks: there is nothing to import.")
    checked = validate_tasks(tasks, lambda index: places[index])
    return ParsedFile("vikunja", checked, _notes(unkept))


def _notes(unkept: list[str]) -> tuple[str, ...]:
    if not unkept:
        return ()
    more = len(unkept) - MAX_NOTES
    shown = ", ".join(unkept[:MAX_NOTES]) + (f" and {more} more" if more > 0 else "")
    return (
        f"{len(unkept):,} repeat{'s' if len(unkept) != 1 else ''} of hours (or of another kind "
        f"this app has not) could not be kept; imported without repeating: {shown}.",
    )
