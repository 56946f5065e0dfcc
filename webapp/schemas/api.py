"""The JSON API's request bodies: the forms' rules, with JSON's own types.

A form sends only text, so its schemas (TaskCreate, ProjectUpdate, ...) read "5" as 5
and "on" as true. JSON has types: here `true` is no project id, "1" no boolean and
1.0 no id, as /openapi.json says (strict mode; enums and literals still take their
values as text). A field that may be left out but not sent as null is documented
without null, and `move` needs exactly one of after and before, which its schema says.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StrictBool,
    Tag,
    WithJsonSchema,
)

from webapp.models.base import MAX_ID
from webapp.models.task import Priority
from webapp.schemas import project, task
from webapp.schemas.task import (
    LABEL_LENGTH,
    MAX_LABELS,
    SentLabel,
    Title,
    label_names,
    split_labels,
)


def _json_integer(value: object) -> object:
    # JSON Schema's integer is any number without a fraction (5.0 too), never a boolean.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID), BeforeValidator(_json_integer)]
# A list of names, or the forms' comma-separated text: either way at most MAX_LABELS
# names of at most LABEL_LENGTH characters, as sent, which both schemas say.
_NAME = f"[^\\x00,]{{0,{LABEL_LENGTH}}}"
Labels = Annotated[
    list[SentLabel],
    Field(max_length=MAX_LABELS),
    BeforeValidator(split_labels),
    AfterValidator(label_names),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "array",
                    "maxItems": MAX_LABELS,
                    "items": {
                        "type": "string",
                        "maxLength": LABEL_LENGTH,
                        "pattern": "^[^\\x00,]*$",
                    },
                },
                {"type": "string", "pattern": f"^{_NAME}(,{_NAME}){{0,{MAX_LABELS - 1}}}$"},
            ]
        }
    ),
]
LaxPriority = Annotated[Priority, Field(strict=False)]
# JSON has no date type: these are ISO 8601 text, as the schema says.
DueDate = Annotated[date | None, Field(strict=False)]
DueAt = Annotated[AwareDatetime | None, Field(strict=False)]


def _omittable(schema: dict[str, Any]) -> None:
    # Left out, the field keeps its value; its default (None) is no value one may send.
    schema.pop("default", None)


def omittable() -> Any:
    return Field(default=None, json_schema_extra=_omittable)


def _one_due(examples: list[dict]) -> Any:
    """The schema's own word for "a day or a moment, not both" (task._Due's rule)."""

    def extra(schema: dict[str, Any]) -> None:
        schema["examples"] = examples
        schema["not"] = {
            "required": ["due_date", "due_at"],
            "properties": {"due_date": {"type": "string"}, "due_at": {"type": "string"}},
        }

    return extra


# Named as the forms' schemas: /openapi.json shows these only.
class TaskCreate(task.TaskCreate):
    model_config = ConfigDict(
        strict=True,
        json_schema_extra=_one_due(
            [task.TaskCreate.model_config["json_schema_extra"]["examples"][0]]
        ),
    )

    priority: LaxPriority = Priority.medium
    project_id: Id | None = None
    labels: Labels = []
    due_date: DueDate = None
    due_at: DueAt = None


class QuickTaskCreate(task.QuickTaskCreate):
    model_config = ConfigDict(strict=True)


# What POST /api/{user_id}/tasks/ takes: the fields, or {"quick": "…"} instead of them.
TaskCreateBody = Annotated[
    Annotated[TaskCreate, Tag("fields")] | Annotated[QuickTaskCreate, Tag("quick")],
    Discriminator(task.create_kind),
]


class TaskUpdate(task.TaskUpdate):
    model_config = ConfigDict(
        strict=True, json_schema_extra=_one_due([{"title": "Renamed", "completed": True}])
    )

    title: Title = omittable()
    priority: LaxPriority = omittable()
    completed: StrictBool = omittable()
    project_id: Id = omittable()
    labels: Labels = omittable()
    due_date: DueDate = None
    due_at: DueAt = None


def _one_anchor(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [{"required": ["after"]}, {"required": ["before"]}]
    schema["examples"] = [{"after": 12}]


class TaskMove(project.TaskMove):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra=_one_anchor)

    after: Id = omittable()
    before: Id = omittable()


class ProjectCreate(project.ProjectCreate):
    model_config = ConfigDict(strict=True)


class ProjectUpdate(project.ProjectUpdate):
    model_config = ConfigDict(strict=True)


class LabelUpdate(project.LabelUpdate):
    model_config = ConfigDict(strict=True)
