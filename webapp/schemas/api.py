"""The JSON API's request bodies: the forms' rules, with JSON's own types.

A form sends only text, so its schemas (TaskCreate, ProjectUpdate, ...) read "5" as 5
and "on" as true. JSON has types: here `true` is no project id, "1" no boolean and
1.0 no id, as /openapi.json says (strict mode; enums and literals still take their
values as text). A field that may be left out but not sent as null is documented
without null, and `move` needs exactly one of after and before, which its schema says.
"""

import re
from datetime import date, datetime
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
from webapp.recurrence import normalize_rrule
from webapp.recurrence.grammar import RRULE_PATTERN, in_api_form
from webapp.recurrence.rules import MAX_LENGTH as RRULE_LENGTH
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


def _api_rule(text: str) -> str:
    """A rule as answers give it; any other spelling of a rule is told its own form."""
    if not text.strip():
        raise ValueError("Send null for no repeat: an empty rule is no rule")
    canonical = normalize_rrule(text)  # its sentence, when it is no rule of the subset
    if not in_api_form(text):
        raise ValueError(f"Write the rule as answers give it: {canonical}")
    return canonical


# null for no repeat; the pattern is exactly the rules taken (webapp.recurrence.grammar).
ApiRecurrence = Annotated[
    Annotated[str, AfterValidator(_api_rule)] | None,
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "maxLength": RRULE_LENGTH,
                    "pattern": RRULE_PATTERN,
                    "description": "An RFC 5545 RRULE without DTSTART, in the canonical "
                    "form answers give: FREQ (DAILY, WEEKLY, MONTHLY or YEARLY), then "
                    "INTERVAL, BYMONTH, BYMONTHDAY, BYDAY (MO, or 3TH and -1FR in a "
                    "monthly or yearly rule), BYSETPOS (1 or -1), COUNT or UNTIL; a rule "
                    "must land on some day. Anything else is a 422 saying what to write.",
                    "examples": ["FREQ=MONTHLY;BYDAY=-1FR", "FREQ=WEEKLY;BYDAY=MO,TH"],
                },
                {"type": "null"},
            ]
        }
    ),
]
# JSON has no date type: these are ISO 8601 text within DUE_YEARS, exactly as the schema's
# patterns say (not the Unix seconds pydantic would also read as a date), checked here so
# that no moment with an offset but no seconds, or a leap second, slips past either way.
_YEAR = "(19|[2-8][0-9])[0-9]{2}"
_DAY = f"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DUE_DATE_PATTERN = f"^{_DAY}$"
DUE_AT_PATTERN = (
    f"^{_DAY}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{{1,6}})?"
    "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


def _iso(pattern: str, read: Any, example: str) -> Any:
    def check(value: object) -> object:
        if value is None:
            return None
        if not isinstance(value, str) or re.fullmatch(pattern, value) is None:
            raise ValueError(f"Give ISO 8601 text such as {example}, in the years 1900 to 8999")
        return read(value)  # a day that does not exist (30 February) is its ValueError

    return BeforeValidator(check)


def _iso_schema(pattern: str, form: str) -> WithJsonSchema:
    text = {"type": "string", "format": form, "pattern": pattern}
    return WithJsonSchema({"anyOf": [text, {"type": "null"}]})


DueDate = Annotated[
    date | None,
    _iso(DUE_DATE_PATTERN, date.fromisoformat, "2027-03-01"),
    _iso_schema(DUE_DATE_PATTERN, "date"),
]
DueAt = Annotated[
    AwareDatetime | None,
    _iso(DUE_AT_PATTERN, datetime.fromisoformat, "2027-03-01T09:00:00+01:00"),
    _iso_schema(DUE_AT_PATTERN, "date-time"),
]


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
    recurrence: ApiRecurrence = None


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
    recurrence: ApiRecurrence = None


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
