"""Task input and output, shared by the JSON API and the HTML forms."""

from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    field_validator,
)

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

_EXAMPLE = {"title": "Complete project", "description": "Finish the todo app", "priority": "high"}


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [_EXAMPLE]})

    title: Title
    description: Description = None
    priority: Priority = Priority.medium


class TaskUpdate(BaseModel):
    """A partial update: only the fields sent are changed."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"examples": [{"title": "Renamed", "completed": True}]}
    )

    title: Title | None = None
    description: Description = None
    priority: Priority | None = None
    completed: bool | None = None

    @field_validator("title", "priority", "completed", mode="before")
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
    created_at: AwareDatetime
    updated_at: AwareDatetime
