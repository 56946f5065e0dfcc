"""Quick add in the JSON API: `{"quick": "…"}` for a new task, and
`GET /api/{user_id}/quick-add?text=…&now=…`, which shows what quick add reads without
creating anything. Both read the text as the HTML form does (services/quick_add_service)."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError

from webapp.api.deps import COMMON, PathOwner
from webapp.api.routing import ApiRoute, answer_405
from webapp.db import SessionDep
from webapp.schemas.task import QUICK_MAX, QuickTaskCreate, TaskCreate
from webapp.services.due_dates import Clock
from webapp.services.quick_add_service import quick_task_create, read_quick

router = APIRouter(prefix="/api/{user_id:id}", tags=["quick add"], route_class=ApiRoute)


async def quick_create(
    session: SessionDep, user_id: int, body: QuickTaskCreate, clock: Clock
) -> TaskCreate:
    """The task the text gives; a 422 naming `quick` when it gives no valid task."""
    try:
        return await quick_task_create(
            session, user_id, body.quick, clock=clock, description=body.description
        )
    except ValidationError as exc:
        errors = [
            {"type": e["type"], "loc": ("body", "quick"), "msg": e["msg"], "input": None}
            for e in exc.errors()
        ]
        raise RequestValidationError(errors) from None


class SpanOut(BaseModel):
    start: int
    end: int
    kind: str


class QuickAddOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Buy milk",
                    "due_date": None,
                    "due_at": "2027-01-30T17:00:00+01:00",
                    "recurrence": None,
                    "repeat_from": None,
                    "labels": ["shop"],
                    "project": "Home",
                    "priority": "high",
                    "spans": [{"start": 9, "end": 22, "kind": "date"}],
                }
            ]
        }
    )

    title: str
    due_date: date | None
    due_at: datetime | None  # in the user's zone, with its offset
    recurrence: str | None
    repeat_from: str | None
    labels: list[str]
    project: str | None  # an existing project's name, else null
    priority: str | None  # null when the text names none
    spans: list[SpanOut]


# Far enough either way for any real task; the calendar's ends are not ("next year" in
# 9999 has nowhere to go, and the parser is not meant to be asked).
NOW_YEARS = range(1900, 9000)


# A date, a time and an offset, as the schema says: not the Unix seconds pydantic would
# also take for a datetime.
NOW_PATTERN = (
    r"^(19|[2-8]\d)\d{2}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)


def _now(text: str | None) -> datetime | None:
    """`now` as given: with an offset, and within NOW_YEARS (else a 422 saying so)."""
    if text is None:
        return None
    problem = None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
        problem = ("datetime_from_date_parsing", "Input should be a valid datetime")
    if value is None:
        pass
    elif value.utcoffset() is None:
        problem = ("timezone_aware", "Input should have timezone info")
    elif value.year not in NOW_YEARS:
        problem = ("value_error", "Give a moment between the years 1900 and 8999")
    if problem is not None:
        error = {"type": problem[0], "loc": ("query", "now"), "msg": problem[1], "input": None}
        raise RequestValidationError([error])
    return value


@router.get(
    "/quick-add",
    response_model=QuickAddOut,
    responses=COMMON,
    summary="Read quick-add text without creating a task",
)
async def quick_add(
    owner: PathOwner,
    session: SessionDep,
    text: Annotated[str, Query(max_length=QUICK_MAX, pattern=r"^[^\x00]*$")],
    now: Annotated[
        str | None,
        Query(
            description="ISO 8601 with offset, years 1900-8999, e.g. 2026-12-01T09:00:00+01:00",
            pattern=NOW_PATTERN,
            max_length=40,
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
) -> QuickAddOut:
    """What `{"quick": text}` would create, read in your zone and date order at `now`
    (default: the server's clock)."""
    clock = Clock(owner.timezone, owner.date_order)
    quick = await read_quick(session, owner.id, text, clock=clock, now=_now(now))
    parsed = quick.parsed
    return QuickAddOut(
        title=parsed.title,
        due_date=parsed.due_date,
        due_at=parsed.due_at.astimezone(clock.tz) if parsed.due_at else None,
        recurrence=parsed.recurrence,
        repeat_from=parsed.repeat_from,
        labels=list(parsed.labels),
        project=parsed.project if quick.project_id is not None else None,
        priority=parsed.priority,
        spans=[SpanOut(start=s.start, end=s.end, kind=s.kind) for s in parsed.spans],
    )


answer_405(router, "/quick-add", ("GET", "HEAD"))
