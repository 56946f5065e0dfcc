"""The private calendar feed: a user's due tasks as iCalendar, at a secret address.

The address holds a random token (users.calendar_token), made, replaced or turned off
in Settings; a calendar app polls it without logging in, so the token is the only key,
and a new one revokes the old. Date-only tasks are all-day events, timed ones carry the
user's zone (TZID), repeats their RRULE; a completed task is left out.
"""

import secrets
from datetime import timedelta
from typing import Any

from icalendar import Calendar, Event, vRecur
from sqlalchemy import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.base import utcnow
from webapp.models.task import Task
from webapp.models.user import User
from webapp.recurrence import as_zone

TASKS, USERS = Task.__table__, User.__table__
TOKEN_BYTES = 24
MAX_EVENTS = 5000
EVENT_MINUTES = 30  # a timed task is shown as a short event starting at its due


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_shape_ok(token: str) -> bool:
    return 20 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


class CalendarService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def token_of(self, user_id: int) -> str | None:
        result = await self.session.exec(
            select(USERS.c.calendar_token).where(USERS.c.id == user_id)
        )
        return result.scalar_one_or_none()

    async def set_token(self, user_id: int, *, enabled: bool) -> str | None:
        """A new address (the old one stops working), or none at all."""
        token = new_token() if enabled else None
        await self.session.exec(
            update(USERS).where(USERS.c.id == user_id).values(calendar_token=token)
        )
        await self.session.commit()
        return token

    async def feed(self, token: str) -> bytes | None:
        """The .ics of the user whose token this is; None for an unknown one."""
        if not token_shape_ok(token):
            return None
        found = (
            await self.session.exec(
                select(USERS.c.id, USERS.c.timezone).where(USERS.c.calendar_token == token)
            )
        ).first()
        if found is None:
            return None
        rows = await self.session.exec(
            select(TASKS)
            .where(
                TASKS.c.user_id == found.id,
                TASKS.c.completed.is_(False),
                TASKS.c.due_date.is_not(None) | TASKS.c.due_at.is_not(None),
            )
            .order_by(TASKS.c.id)
            .limit(MAX_EVENTS)
        )
        return to_ics(rows.all(), found.timezone)


def to_ics(tasks: list[Any], zone: str) -> bytes:
    tz = as_zone(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Tasks//Due dates//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Tasks")
    calendar.add("x-wr-timezone", zone)
    stamp = utcnow()
    for task in tasks:
        event = Event()
        event.add("uid", f"{task.uid}@tasks")
        event.add("dtstamp", stamp)
        event.add("summary", task.title)
        if task.description:
            event.add("description", task.description)
        if task.due_at is not None:
            start = task.due_at.astimezone(tz)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
        else:
            # All-day: DTEND is the day after (exclusive), as RFC 5545 has it.
            event.add("dtstart", task.due_date)
            event.add("dtend", task.due_date + timedelta(days=1))
        if task.recurrence:
            event.add("rrule", vRecur.from_ical(task.recurrence))
        calendar.add_component(event)
    if any(task.due_at is not None for task in tasks):
        calendar.add_missing_timezones()
    return calendar.to_ical()
