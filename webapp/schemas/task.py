"""Task input and output, shared by the JSON API and the HTML forms."""

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import to_json

from webapp.models.base import MAX_ID
from webapp.models.task import Priority
from webapp.recurrence import normalize_rrule

# What strip_whitespace strips (pydantic's core: Unicode White_Space, which is not quite
# Python's str.isspace), written out so a schema's pattern says exactly the same.
SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_BLANK = re.compile(f"[{SPACE}]*")


def _blank_to_none(value: object) -> object:
    # An empty description field in a form means "no description".
    if isinstance(value, str) and _BLANK.fullmatch(value):
        return None
    return value


def trimmed_pattern(shortest: int, longest: int, refused: str = r"\x00") -> str:
    """The pattern of a string that, once trimmed, has `shortest`..`longest` characters
    (shortest 0 or 1) and none of `refused`: the JSON schema of a StringConstraints with
    strip_whitespace, whose own minLength and maxLength would count the spaces too."""
    edge = f"[^{refused}{SPACE}]"
    core = f"{edge}(?:[^{refused}]{{0,{longest - 2}}}{edge})?"
    return f"^[{SPACE}]*{core if shortest else f'(?:{core})?'}[{SPACE}]*$"


def trimmed(shortest: int, longest: int, refused: str = r"\x00") -> Any:
    """A string trimmed, then `shortest`..`longest` characters long, with none of `refused`;
    its JSON schema says the same with one pattern."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=shortest,
            max_length=longest,
            pattern=f"^[^{refused}]*$",
        ),
        WithJsonSchema({"type": "string", "pattern": trimmed_pattern(shortest, longest, refused)}),
    ]


# PostgreSQL text cannot hold NUL: refused as input (422) rather than failing the INSERT (500).
NO_NUL = r"^[^\x00]*$"
# Trimmed before the length check, so "   " is too short rather than a title.
TITLE_LENGTH = 200
Title = trimmed(1, TITLE_LENGTH)
Description = Annotated[trimmed(0, 1000) | None, BeforeValidator(_blank_to_none)]

MAX_LABELS = 20
LABEL_LENGTH = 60


def split_labels(value: object) -> object:
    """A form sends labels comma-separated ("home, @errands"), JSON as a list."""
    return value.split(",") if isinstance(value, str) else value


def label_names(names: list[str]) -> list[str]:
    """Each name trimmed, a leading @ dropped (how quick add writes them), blanks dropped,
    and a name repeated in another case counted once. Only ever shorter than what was
    sent, so the limits are checked on that, as the schema says."""
    kept: dict[str, str] = {}
    for item in names:
        name = " ".join(item.split()).removeprefix("@").strip()
        if name:
            kept.setdefault(name.casefold(), name)
    return list(kept.values())


LabelName = Annotated[
    str, StringConstraints(min_length=1, max_length=LABEL_LENGTH, pattern=r"^[^\x00,]*$")
]
# As sent: at most MAX_LABELS names of at most LABEL_LENGTH characters, before _label_names.
SentLabel = Annotated[str, StringConstraints(max_length=LABEL_LENGTH, pattern=r"^[^\x00,]*$")]
Labels = Annotated[
    list[SentLabel],
    Field(max_length=MAX_LABELS),
    BeforeValidator(split_labels),
    AfterValidator(label_names),
]
# A project given by id; a form's empty choice means "not chosen" (the Inbox, for a new task).
ProjectId = Annotated[int | None, Field(ge=1, le=MAX_ID), BeforeValidator(_blank_to_none)]

# A repeat as an RRULE of the supported subset, stored in its canonical form; anything
# else is refused with normalize_rrule's own sentence (a 422 that says what is wrong).
# The JSON API takes only the canonical form, which its schema spells (schemas/api.py).
Recurrence = Annotated[
    Annotated[
        str, StringConstraints(max_length=500, pattern=NO_NUL), AfterValidator(normalize_rrule)
    ]
    | None,
    BeforeValidator(_blank_to_none),
]
RepeatFrom = Literal["due", "completion"]
# The New task field and the preview take this much quick-add text; the title read out
# of it must still fit its 200 (else the form says so, keeping the text).
QUICK_MAX = 500
# Far enough either way for any real task, and far from the calendar's ends, where a
# moment shown in a zone 14 hours away, or a repeat's next date, would have no year.
DUE_YEARS = range(1900, 9000)
OUT_OF_YEARS = "Choose a due date between the years 1900 and 8999."


class _Due(BaseModel):
    """The due fields and their one rule: a day or a moment, not both."""

    due_date: date | None = None
    due_at: AwareDatetime | None = None  # an offset is required: no guessing the zone
    recurrence: Recurrence = None
    repeat_from: RepeatFrom | None = None

    @field_validator("due_date", "due_at", mode="after")
    @classmethod
    def _in_years(cls, value: date | None) -> date | None:
        if value is not None and value.year not in DUE_YEARS:
            raise ValueError(OUT_OF_YEARS)
        return value

    @model_validator(mode="after")
    def _one_due(self):  # noqa: ANN202
        if self.due_date is not None and self.due_at is not None:
            raise ValueError("Give due_date or due_at, not both.")
        return self


_EXAMPLE = {"title": "Complete project", "description": "Finish the todo app", "priority": "high"}


class TaskCreate(_Due):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [_EXAMPLE]})

    title: Title
    description: Description = None
    priority: Priority = Priority.medium
    project_id: ProjectId = None
    labels: Labels = []


class QuickTaskCreate(BaseModel):
    """A task from one line of quick-add text ("Buy milk tomorrow 5pm #Home p1"), read in
    the user's zone and date order; a description may come alongside."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"examples": [{"quick": "Buy milk tomorrow 5pm"}]}
    )

    # No longer than a title, which is part of it: every text the schema allows then
    # makes a task (tags that cannot be labels stay in the title).
    quick: trimmed(1, TITLE_LENGTH)
    description: Description = None


# The tags of TaskCreateBody's two shapes, which pydantic puts into an error's place and
# the API's errors take out again (api/errors.py).
BODY_SHAPE_TAGS = ("fields", "quick")


def create_kind(value: object) -> str:
    """Which of the API's two create shapes a body is (schemas/api.py's TaskCreateBody)."""
    return "quick" if isinstance(value, dict) and "quick" in value else "fields"


class TaskUpdate(_Due):
    """A partial update: only the fields sent are changed (null clears a due or repeat)."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"examples": [{"title": "Renamed", "completed": True}]}
    )

    title: Title | None = None
    description: Description = None
    priority: Priority | None = None
    completed: bool | None = None
    project_id: ProjectId = None
    labels: Labels | None = None

    @field_validator("title", "priority", "completed", "project_id", "labels", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Leaving a field out keeps it; sending null for one that must have a value is an error.
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class TaskResponse(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "user_id": 1,
                    **_EXAMPLE,
                    "completed": False,
                    "project_id": 1,
                    "labels": ["work"],
                    "position": -4294967296,
                    "created_at": "2026-01-01T09:00:00Z",
                    "updated_at": "2026-01-01T09:00:00Z",
                }
            ]
        },
    )

    id: int
    user_id: int
    title: str
    description: str | None
    completed: bool
    priority: Priority
    project_id: int
    labels: list[str]
    position: int
    due_date: date | None = None
    due_at: AwareDatetime | None = None
    recurrence: str | None = None
    repeat_from: RepeatFrom | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @field_validator("labels", mode="after")
    @classmethod
    def _sorted(cls, value: list[str]) -> list[str]:
        return _label_order(value)


def _label_order(labels: list[str]) -> list[str]:
    return sorted(labels, key=str.casefold) if len(labels) > 1 else labels


_RESPONSE_FIELDS = tuple(TaskResponse.model_fields)


def task_list_json(tasks: Iterable[Any]) -> bytes:
    """A JSON list of TaskResponse, from rows of the tasks table, without a model built and
    validated per row (half the cost of a page of fifty): the same bytes (a test compares
    them), with the labels sorted as the model sorts them. The rows need no checking: the
    table's types and constraints are the model's."""
    items = []
    for task in tasks:
        item = {name: getattr(task, name) for name in _RESPONSE_FIELDS}
        item["labels"] = _label_order(item["labels"])
        items.append(item)
    return to_json(items)
