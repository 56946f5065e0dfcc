"""The manual order: where a task goes when it is created or moved.

A task's `position` is a rank among all of its user's tasks, smallest first; a
project's or a label's list is the same order with the others left out. Ranks are
far apart (GAP), so a new task goes GAP above the top one and a moved task takes the
midpoint between its two new neighbours: either way one row is written. Only when
about 32 moves have landed in the same gap is there no integer left between two
neighbours; then the user's tasks are renumbered GAP apart once, and the move goes on.
"""

from typing import Any

from sqlalchemy import bindparam, func, select, tuple_, update
from sqlalchemy.orm import aliased
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query
from webapp.models.base import utcnow
from webapp.models.task import Task

GAP = 2**32
TASKS = Task.__table__


def top_position(user_id: int | None = None) -> Any:
    """The position a new task takes, above the user's top task (a subquery; its user is
    the statement's `user_id` parameter unless given)."""
    user = bindparam("user_id") if user_id is None else bindparam("user_id", user_id)
    return (
        select(func.coalesce(func.min(TASKS.c.position), GAP) - GAP)
        .where(TASKS.c.user_id == user)
        .scalar_subquery()
    )


def _neighbours_query(after: bool) -> Query:
    """The anchor's position and that of the task next to it on one side (the moving task
    left out): the two positions the moving task goes between."""
    anchor, other = TASKS, aliased(TASKS)
    keys, anchor_keys = (
        tuple_(other.c.position, other.c.id),
        tuple_(anchor.c.position, anchor.c.id),
    )
    beyond = keys > anchor_keys if after else keys < anchor_keys
    order = (
        (other.c.position, other.c.id) if after else (other.c.position.desc(), other.c.id.desc())
    )
    neighbour = (
        select(other.c.position)
        .where(other.c.user_id == bindparam("user_id"), other.c.id != bindparam("id"), beyond)
        .order_by(*order)
        .limit(1)
        .scalar_subquery()
    )
    return Query(
        select(anchor.c.position, neighbour.label("neighbour")).where(
            anchor.c.id == bindparam("anchor"), anchor.c.user_id == bindparam("user_id")
        )
    )


_AFTER, _BEFORE = _neighbours_query(True), _neighbours_query(False)


def between(low: int | None, high: int | None) -> int | None:
    """An integer strictly between two neighbours' positions (None: no neighbour on that
    side), or None when there is none."""
    if low is None and high is None:
        return 0
    if low is None:
        return high - GAP  # type: ignore[operator]
    if high is None:
        return low + GAP
    middle = low + (high - low) // 2
    return middle if low < middle < high else None


async def position_next_to(
    session: AsyncSession, user_id: int, task_id: int, anchor_id: int, *, after: bool
) -> int | None:
    """Where the task goes to sit just after (or before) the anchor task; None when the
    anchor is not one of the user's tasks. Renumbers the user's tasks when there is no
    room left between the two neighbours."""
    query = _AFTER if after else _BEFORE
    for attempt in range(2):
        row = await query.fetchrow(session, user_id=user_id, id=task_id, anchor=anchor_id)
        if row is None:
            return None
        low, high = (row.position, row.neighbour) if after else (row.neighbour, row.position)
        position = between(low, high)
        if position is not None:
            return position
        if attempt == 0:
            await renumber(session, user_id)
    raise AssertionError("no room between two tasks right after renumbering")


async def renumber(session: AsyncSession, user_id: int) -> None:
    """Spread the user's tasks GAP apart, keeping their order (rarely needed: see above).

    Versions move on: each position is new, so a sync client refetches them."""
    ranked = (
        select(TASKS.c.id, (func.row_number().over(order_by=(TASKS.c.position, TASKS.c.id))))
        .where(TASKS.c.user_id == user_id)
        .subquery()
    )
    rank: Any = list(ranked.c)[1]
    await session.exec(
        update(TASKS)
        .where(TASKS.c.user_id == user_id, TASKS.c.id == ranked.c.id)
        .values(position=rank * GAP, version=TASKS.c.version + 1, updated_at=utcnow())
    )
    await session.commit()
