"""The task every import format ends as, its checks, and this app's own export read back.

Every format (this app's export here, import_todoist, import_vikunja) ends as the same
list of `ImportedTask`, checked by the rules a task typed into the app obeys
(webapp/schemas/task.py), so what an import writes is what the app could have made
itself. A file with one bad task is refused whole, naming that task's place (index or
line) and field: nothing of it is written (see import_service). import_formats picks the
parser for an upload.

Another app's tasks get a uid derived from the file (uuid5 of the source and the task's
id or place, `derived_uid`), so that importing its file twice adds nothing the second
time either.

Whatever the file holds (not JSON, invalid UTF-8, lone surrogates, NaN, nesting 200 deep,
megabyte strings), the answer is ImportRefused with a sentence for the person, never an
exception that escapes as a 500.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID, uuid5

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, from_json

from webapp.models.task import Priority
from webapp.schemas.project import ProjectName
from webapp.schemas.task import (
    DUE_YEARS,
    Description,
    Labels,
    Recurrence,
    RepeatFrom,
    Title,
)
from webapp.services.task_export import FORMAT, VERSION

# The versions of task_export's format read back: 1 had no due fields (none are set).
READ_VERSIONS = (1, 2)
# Fixed for good: changing it would give every derived uid a new value, and a file
# imported before would be imported again.
UID_NAMESPACE = UUID("6f0b7c1e-3d5a-4e8b-9a41-52c7d0e1f9a3")

# The upload limit (20 MB) keeps a file to about this many tasks anyway; past it, the
# validated list would cost far more memory than an account needs to be moved.
MAX_TASKS = 100_000
# The times PostgreSQL and Python both hold, whatever the offset written in the file.
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)
UTF8_BOM = b"\xef\xbb\xbf"


class ImportRefused(Exception):
    """The file cannot be imported; `message` says why, to the person who chose it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _in_range(moment: datetime) -> datetime:
    if not EARLIEST <= moment <= LATEST:
        raise ValueError("must be a date between the years 1900 and 9999")
    return moment.astimezone(UTC)


Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]


class ImportedTask(BaseModel):
    """One task to import, from any format: what a parser must produce."""

    model_config = ConfigDict(extra="ignore")

    uid: UUID
    title: Title
    description: Description = None
    priority: Priority = Priority.medium
    completed: StrictBool = False
    # Found by name among the user's projects, or made; left out: the Inbox.
    project: ProjectName | None = None
    labels: Labels = []
    # The manual order; left out: the file's order, after the tasks already there.
    position: Annotated[int, Field(ge=-(2**62), le=2**62)] | None = None
    # Left out: the moment of the import.
    created_at: Moment | None = None
    updated_at: Moment | None = None
    # As a new task's (task_repeat.starting_due gives a repeat without a due its first day).
    due_date: date | None = None
    due_at: Moment | None = None
    recurrence: Recurrence = None
    repeat_from: RepeatFrom | None = None

    @model_validator(mode="after")
    def _one_due(self) -> "ImportedTask":
        if self.due_date is not None and self.due_at is not None:
            raise ValueError("give due_date or due_at, not both")
        return self

    @field_validator("due_date", "due_at")
    @classmethod
    def _due_in_years(cls, value: date | None) -> date | None:
        if value is not None and value.year not in DUE_YEARS:
            raise ValueError("must be a due date between the years 1900 and 8999")
        return value

    @field_validator("title", "description")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        # JSON cannot bring a lone surrogate (the parser refuses it), but a later parser's
        # Python strings could: PostgreSQL would refuse them only at the INSERT.
        if value is not None:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("holds a character that cannot be stored") from None
        return value


_TASKS = TypeAdapter(list[ImportedTask])


@dataclass(frozen=True)
class ParsedFile:
    """What a parser read: the tasks, and what the preview should say besides their count
    (`notes`: what was skipped or could not be kept; `project`: the one project a
    Todoist CSV goes into)."""

    format: str
    tasks: list[ImportedTask]
    notes: tuple[str, ...] = ()
    project: str | None = None


def tasks_json(tasks: list[ImportedTask]) -> str:
    """The tasks as one JSON array, written by pydantic's core in one pass (no dict per
    task on the way): what a pending import keeps."""
    return _TASKS.dump_json(tasks).decode()


def read_json(data: bytes) -> Any:
    """The JSON document in `data` (UTF-8, a byte-order mark allowed), strictly: no NaN or
    Infinity, no lone surrogates, no invalid UTF-8, at most 200 levels deep."""
    try:
        return from_json(data.removeprefix(UTF8_BOM), allow_inf_nan=False)
    except ValueError as exc:
        raise ImportRefused(f"This file is not valid JSON ({exc}).") from None


def derived_uid(*parts: object) -> UUID:
    """The uid of a task from another app: the same parts (the source, the task's id or
    place in the file) give the same uid on every import."""
    return uuid5(UID_NAMESPACE, "\x1f".join(str(part) for part in parts))


def is_export(document: Any) -> bool:
    return isinstance(document, dict) and document.get("format") == FORMAT


def parse_export(document: Any) -> list[ImportedTask]:
    """The tasks of this app's export (task_export's format, any of READ_VERSIONS)."""
    version = document.get("version")
    readable = f"versions {READ_VERSIONS[0]} to {VERSION}"
    if type(version) is not int:  # noqa: E721 (True is an int to isinstance)
        raise ImportRefused(f'This export has no "version" number; this server reads {readable}.')
    if version not in READ_VERSIONS:
        raise ImportRefused(f"This export is version {version}; this server reads {readable}.")
    tasks = document.get("tasks")
    if not isinstance(tasks, list):
        raise ImportRefused('This export has no "tasks" list.')
    if not tasks:
        raise ImportRefused("This export holds no tasks: there is nothing to import.")
    refuse_too_many(len(tasks))
    parsed = validate_tasks(tasks)
    _refuse_repeated_uids(parsed)
    return parsed


def refuse_too_many(count: int) -> None:
    if count > MAX_TASKS:
        raise ImportRefused(
            f"This file holds {count:,} tasks; at most {MAX_TASKS:,} can be imported at once."
        )


def at_index(index: int) -> str:
    return f"The task at index {index} (counting from 0)"


def validate_tasks(tasks: list[Any], place: Callable[[int], str] = at_index) -> list[ImportedTask]:
    """The tasks checked, all of them; ImportRefused naming the first bad one's place
    ("The task at index 6 (counting from 0)", "The task on line 7") and field."""
    try:
        return _TASKS.validate_python(tasks)
    except ValidationError as exc:
        raise ImportRefused(_first_problem(exc, place)) from None


def _refuse_repeated_uids(tasks: list[ImportedTask]) -> None:
    seen: dict[UUID, int] = {}
    for index, task in enumerate(tasks):
        first = seen.setdefault(task.uid, index)
        if first != index:
            raise ImportRefused(
                f"The task at index {index} has the same uid as the task at index {first}. "
                "Nothing was imported."
            )


def _first_problem(exc: ValidationError, place: Callable[[int], str]) -> str:
    """ "The task at index 6 (counting from 0) is not valid: title: must be at most 200
    characters. ..." """
    errors = exc.errors(include_url=False, include_input=False)
    error = errors[0]
    index, *field = error["loc"]
    where = f"{field[0]}: " if field else ""
    others = len({e["loc"][0] for e in errors}) - 1
    more = (
        f" {others} other task{'s have' if others != 1 else ' has'} problems too." if others else ""
    )
    return f"{place(index)} is not valid: {where}{_describe(error)}{more} Nothing was imported."


def _describe(error: ErrorDetails) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    messages = {
        "missing": "this field is required.",
        "model_type": "each task must be a JSON object.",
        "string_type": "must be text.",
        "bool_type": "must be true or false.",
        "uuid_type": "must be a UUID written as text.",
        "uuid_parsing": "must be a UUID like 1b4e28ba-2fa1-11d2-883f-0016d3cca427.",
        "timezone_aware": "must be a date and time with its offset, like 2026-01-31T09:00:00Z.",
        "literal_error": "must be one of due, completion.",
        "enum": f"must be one of {', '.join(p.value for p in Priority)}.",
        "string_pattern_mismatch": "must not hold the NUL character.",
    }
    if kind in messages:
        return messages[kind]
    if kind == "string_too_short":
        return "must not be empty."
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters."
    if kind.startswith("date_"):
        return "must be a date like 2026-01-31."
    if kind.startswith("datetime"):
        return "must be a date and time like 2026-01-31T09:00:00Z."
    if kind == "value_error" and ctx.get("error"):
        return f"{str(ctx['error']).rstrip('.')}."
    return f"{error['msg']}."
