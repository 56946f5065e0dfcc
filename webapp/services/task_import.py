"""Reading an uploaded file: which format it is, and the tasks it holds, every one validated.

Every format ends as the same list of `ImportedTask`, checked by the rules a task typed
into the app obeys (webapp/schemas/task.py), so what an import writes is what the app
could have made itself. A file with one bad task is refused whole, naming that task's
index and field: nothing of it is written (see import_service).

`parse_file` reads the bytes, `detect_format` picks the parser, and the parser
(`parse_export` for this app's own export, task_export's format) turns the document into
tasks. Another app's format (a Todoist CSV, a Vikunja JSON) is a new parser added to
`detect_format`, giving each task a uid derived from the other app's id (uuid5), so that
importing its file twice adds nothing the second time either.

Whatever the file holds (not JSON, invalid UTF-8, lone surrogates, NaN, nesting 200 deep,
megabyte strings), the answer is ImportRefused with a sentence for the person, never an
exception that escapes as a 500.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

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
)
from pydantic_core import ErrorDetails, from_json

from webapp.models.task import Priority
from webapp.schemas.project import ProjectName
from webapp.schemas.task import Description, Labels, Title
from webapp.services.task_export import FORMAT, VERSION

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
Parser = Callable[[Any], list[ImportedTask]]


def tasks_json(tasks: list[ImportedTask]) -> str:
    """The tasks as one JSON array, written by pydantic's core in one pass (no dict per
    task on the way): what a pending import keeps."""
    return _TASKS.dump_json(tasks).decode()


def parse_file(data: bytes) -> list[ImportedTask]:
    """The tasks of an uploaded file in any format we read; ImportRefused otherwise."""
    if not data.strip():
        raise ImportRefused("This file is empty: choose a file made by Settings → Export.")
    document = read_json(data)
    return detect_format(document)(document)


def read_json(data: bytes) -> Any:
    """The JSON document in `data` (UTF-8, a byte-order mark allowed), strictly: no NaN or
    Infinity, no lone surrogates, no invalid UTF-8, at most 200 levels deep."""
    try:
        return from_json(data.removeprefix(UTF8_BOM), allow_inf_nan=False)
    except ValueError as exc:
        raise ImportRefused(f"This file is not valid JSON ({exc}).") from None


def detect_format(document: Any) -> Parser:
    """The parser for this document; ImportRefused when it is no format we know."""
    if isinstance(document, dict) and document.get("format") == FORMAT:
        return parse_export
    raise ImportRefused(
        "This file is not a task export from this app: its JSON must have "
        f'"format": "{FORMAT}" (Settings → Export makes one).'
    )


def parse_export(document: Any) -> list[ImportedTask]:
    """The tasks of this app's export (task_export's format, version 1)."""
    version = document.get("version")
    if type(version) is not int:  # noqa: E721 (True is an int to isinstance)
        raise ImportRefused('This export has no "version" number; this server reads version 1.')
    if version != VERSION:
        raise ImportRefused(
            f"This export is version {version}; this server reads version {VERSION} only."
        )
    tasks = document.get("tasks")
    if not isinstance(tasks, list):
        raise ImportRefused('This export has no "tasks" list.')
    if not tasks:
        raise ImportRefused("This export holds no tasks: there is nothing to import.")
    if len(tasks) > MAX_TASKS:
        raise ImportRefused(
            f"This export holds {len(tasks):,} tasks; at most {MAX_TASKS:,} can be imported "
            "at once."
        )
    try:
        parsed = _TASKS.validate_python(tasks)
    except ValidationError as exc:
        raise ImportRefused(_first_problem(exc)) from None
    _refuse_repeated_uids(parsed)
    return parsed


def _refuse_repeated_uids(tasks: list[ImportedTask]) -> None:
    seen: dict[UUID, int] = {}
    for index, task in enumerate(tasks):
        first = seen.setdefault(task.uid, index)
        if first != index:
            raise ImportRefused(
                f"The task at index {index} has the same uid as the task at index {first}. "
                "Nothing was imported."
            )


def _first_problem(exc: ValidationError) -> str:
    """ "The task at index 6 is not valid: title: Use at most 200 characters. ..." """
    errors = exc.errors(include_url=False, include_input=False)
    error = errors[0]
    index, *place = error["loc"]
    where = f"{place[0]}: " if place else ""
    others = len({e["loc"][0] for e in errors}) - 1
    more = (
        f" {others} other task{'s have' if others != 1 else ' has'} problems too." if others else ""
    )
    return (
        f"The task at index {index} (counting from 0) is not valid: {where}{_describe(error)}"
        f"{more} Nothing was imported."
    )


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
        "enum": f"must be one of {', '.join(p.value for p in Priority)}.",
        "string_pattern_mismatch": "must not hold the NUL character.",
    }
    if kind in messages:
        return messages[kind]
    if kind == "string_too_short":
        return "must not be empty."
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters."
    if kind.startswith("datetime"):
        return "must be a date and time like 2026-01-31T09:00:00Z."
    if kind == "value_error" and ctx.get("error"):
        return f"{ctx['error']}."
    return f"{error['msg']}."
