"""Task input and output, shared by the JSON API and the HTML forms."""

from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from webapp.models.base import MAX_ID
from webapp.models.task import Priority


def _blank_to_none(value: object) -> object:
    # An empty description field in a form means "no description".
    if isinstance(value, str) and not value.strip():
        return None
    return value


# PostgreSQL text cannot hold NUL: refused as input (422) rather than failing the INSERT (500).
NO_NUL = r"^[^\x00]*$"
# Trimmed before the length check, so "   " is too short rather than a title.
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
Description = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000, pattern=NO_NUL)]
    | None,
    BeforeValidator(_blank_to_none),
]

MAX_LABELS = 20
LABEL_LENGTH = 60


def _label_names(value: object) -> object:
    """Labels as a list of names: a form sends them comma-separated ("home, @errands"),
    JSON as a list. Each is trimmed, a leading @ dropped (how quick add writes them), and
    a name repeated in another case counted once."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return value
    names: dict[str, str] = {}
    for item in value:
        if not isinstance(item, str):
            return value  # the item's own type error is reported
        name = " ".join(item.split()).removeprefix("@").strip()
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


LabelName = Annotated[
    str, StringConstraints(min_length=1, max_length=LABEL_LENGTH, pattern=r"^[^\x00,]*$")
]
Labels = Annotated[list[LabelName], Field(max_length=MAX_LABELS), BeforeValidator(_label_names)]
# A project given by id; a form's empty choice means "not chosen" (the Inbox, for a new task).
ProjectId = Annotated[int | None, Field(ge=1, le=MAX_ID), BeforeValidator(_blank_to_none)]

_EXAMPLE = {"title": "Complete project", "description": "Finish the todo app", "priority": "high"}


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [_EXAMPLE]})

    title: Title
    description: Description = None
    priority: Priority = Priority.medium
    project_id: ProjectId = None
    labels: Labels = []


class TaskUpdate(BaseModel):
    """A partial update: only the fields sent are changed."""

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
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @field_validator("labels", mode="after")
    @classmethod
    def _sorted(cls, value: list[str]) -> list[str]:
        return sorted(value, key=str.casefold)
