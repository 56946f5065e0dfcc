"""Quick add for a user: their zone, date order and projects around the pure parser.

The New task form, its live preview and the API all come through here, so one line of
text gives the same task everywhere. The projects are read only when the text has a
"#": without one the parser needs none, and a plain create stays one statement.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.project import Project
from webapp.schemas.task import TaskCreate
from webapp.services.due_dates import Clock
from webapp.services.quick_add import ParsedTask, parse

PROJECTS = Project.__table__
MAX_IGNORED = 50


@dataclass(frozen=True)
class QuickTask:
    parsed: ParsedTask
    project_id: int | None  # the #Project named, when it is one of the user's

    def fields(self, sent: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The task's fields: what the text says, over what the form's other fields say
        (labels from both). Input for TaskCreate, which checks it like any other."""
        sent = dict(sent or {})
        parsed = self.parsed
        labels = [name for name in str(sent.get("labels") or "").split(",") if name.strip()]
        return sent | {
            "title": parsed.title,
            "due_date": parsed.due_date,
            "due_at": parsed.due_at,
            "recurrence": parsed.recurrence,
            "repeat_from": parsed.repeat_from,
            "labels": [*labels, *parsed.labels],
            "priority": parsed.priority or sent.get("priority") or "medium",
            "project_id": self.project_id or sent.get("project_id"),
        }


async def project_ids(session: AsyncSession, user_id: int) -> dict[str, int]:
    """{name: id} of the user's projects that are not archived, in the sidebar's order."""
    rows = await session.exec(
        select(PROJECTS.c.id, PROJECTS.c.name)
        .where(PROJECTS.c.user_id == user_id, PROJECTS.c.archived.is_(False))
        .order_by(PROJECTS.c.is_inbox.desc(), PROJECTS.c.position, PROJECTS.c.id)
    )
    return {row.name: row.id for row in rows.all()}


async def read_quick(
    session: AsyncSession,
    user_id: int,
    text: str,
    *,
    clock: Clock,
    now: datetime | None = None,
    ignore: Iterable[tuple[int, int]] = (),
) -> QuickTask:
    """Parse `text` as this user would mean it."""
    names = await project_ids(session, user_id) if "#" in text else {}
    parsed = parse(
        text,
        now=now or clock.now(),
        tz=clock.tz,
        date_order=clock.date_order,
        projects=list(names),
        ignore=ignore,
    )
    folded = {name.casefold(): pid for name, pid in names.items()}
    project_id = folded.get(parsed.project.casefold()) if parsed.project else None
    return QuickTask(parsed, project_id)


def ignored_spans(text: object) -> list[tuple[int, int]]:
    """ "3-8,12-15" (the preview's dismissed chips) as spans; anything else is skipped."""
    spans = []
    for part in str(text or "").split(",")[:MAX_IGNORED]:
        start, _, end = part.strip().partition("-")
        if start.isdigit() and end.isdigit() and len(start) < 6 and len(end) < 6:
            spans.append((int(start), int(end)))
    return spans


def with_ignored(current: object, start: int, end: int) -> str:
    """The `ignore` field's value with one more span (a chip just dismissed)."""
    spans = [*ignored_spans(current), (start, end)]
    return ",".join(f"{a}-{b}" for a, b in dict.fromkeys(spans))


async def quick_task_create(
    session: AsyncSession, user_id: int, text: str, *, clock: Clock, description: str | None = None
) -> TaskCreate:
    """The TaskCreate one line of quick-add text gives (the API's {"quick": "…"});
    ValidationError when what it gives is not a valid task (a title over 200 characters)."""
    quick = await read_quick(session, user_id, text, clock=clock)
    return TaskCreate.model_validate(quick.fields({"description": description}))
