"""A user's labels: created on first use, renamed, recoloured and deleted here.

Tasks keep the names of their labels (tasks.labels), spelled as this table spells
them; so a rename or a delete changes those tasks too, in the same transaction.
The names' order in a task is not kept: whoever shows them sorts them (sort_names).
A rename or a recolour bumps the label's version; with `expected_version` (an If-Match)
a change is refused (StaleLabelError) once the label has moved past it.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query, atomic
from webapp.models.base import utcnow, valid_id
from webapp.models.project import COLORS, Label
from webapp.models.task import Task

LABELS, TASKS = Label.__table__, Task.__table__
MAX_LABELS_PER_TASK = 20

_LIST = Query(
    select(LABELS.c.id, LABELS.c.name, LABELS.c.color)
    .where(LABELS.c.user_id == bindparam("user_id"))
    .order_by(func.lower(LABELS.c.name))
)


# Creates the labels that are new and returns every one as the table spells it:
# DO UPDATE (changing nothing) returns the rows that were there too, and waits for
# another request creating the same label at the same moment.
_SPELL = Query(
    pg_insert(LABELS)
    .from_select(
        ["user_id", "name"],
        select(
            bindparam("user_id", type_=Integer),
            func.unnest(bindparam("names", type_=ARRAY(String(60)))),
        ),
    )
    .on_conflict_do_update(
        index_elements=[LABELS.c.user_id, func.lower(LABELS.c.name)],
        set_={"name": LABELS.c.name},
    )
    .returning(LABELS.c.name)
)


class LabelNotFound(Exception):
    """No such label among the user's."""


class LabelNameTaken(Exception):
    """Another of the user's labels already has this name (whatever its case)."""


class StaleLabelError(Exception):
    """The label changed since the version the caller last saw."""

    def __init__(self, current: Any) -> None:
        super().__init__(f"label {current.id} is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class LabelChange:
    name: str | None = None
    color: str | None = None


def _check(label: Any, expected_version: int | None) -> None:
    """StaleLabelError unless the (locked) label is at the version the caller expects."""
    if expected_version is not None and label.version != expected_version:
        raise StaleLabelError(label)


def sort_names(names: list[str]) -> list[str]:
    return sorted(names, key=str.casefold)


class LabelService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_labels(self, user_id: int) -> list[Any]:
        return await _LIST.fetch(self.session, user_id=user_id)

    async def get_label(self, user_id: int, label_id: int, *, lock: bool = False) -> Any:
        """The label; with `lock`, locked until the transaction ends (FOR UPDATE)."""
        if not valid_id(label_id):
            raise LabelNotFound
        query = select(LABELS).where(LABELS.c.id == label_id, LABELS.c.user_id == user_id)
        row = (await self.session.exec(query.with_for_update() if lock else query)).first()
        if row is None:
            raise LabelNotFound
        return row

    async def spell(self, user_id: int, names: list[str]) -> list[str]:
        """The labels named, as the user's labels spell them, creating those that are new."""
        if not names:
            return []
        wanted = {name.casefold(): name for name in names}
        rows = await _SPELL.fetch(
            self.session, user_id=user_id, names=list(wanted.values()), created_at=utcnow()
        )
        return sort_names([row.name for row in rows])

    async def update_label(
        self,
        user_id: int,
        label_id: int,
        change: LabelChange,
        *,
        expected_version: int | None = None,
    ) -> Any:
        """Rename and/or recolour; a rename is carried to every task with the label. A
        field that would not change is no change (no write, no new version)."""
        async with atomic(self.session):
            # Locked: the name read here is the one its tasks are retagged from, and the
            # version checked is the one the UPDATE below replaces.
            label = await self.get_label(user_id, label_id, lock=True)
            _check(label, expected_version)
            values: dict[str, Any] = {}
            if change.color is not None and change.color in COLORS:
                values["color"] = change.color
            if change.name is not None and change.name != label.name:
                values["name"] = change.name
            if not values:
                return label
            try:
                row = (
                    await self.session.exec(
                        update(LABELS)
                        .where(LABELS.c.id == label_id, LABELS.c.user_id == user_id)
                        .values(**values, version=LABELS.c.version + 1)
                        .returning(*LABELS.c)
                    )
                ).first()
            except IntegrityError:
                raise LabelNameTaken(change.name) from None
            if "name" in values:
                await self._retag(user_id, label.name, values["name"])
        return row

    async def delete_label(
        self, user_id: int, label_id: int, *, expected_version: int | None = None
    ) -> Any:
        """Delete the label and take it off every task that had it."""
        async with atomic(self.session):
            label = await self.get_label(user_id, label_id, lock=True)
            _check(label, expected_version)
            await self._retag(user_id, label.name, None)
            await self.session.exec(
                LABELS.delete().where(LABELS.c.id == label_id, LABELS.c.user_id == user_id)
            )
        return label

    async def _retag(self, user_id: int, old: str, new: str | None) -> None:
        """Every task labelled `old` gets `new` in its place (or loses it)."""
        kept = func.array_remove(TASKS.c.labels, old)
        labels = kept if new is None else func.array_append(kept, new)
        await self.session.exec(
            update(TASKS)
            .where(TASKS.c.user_id == user_id, TASKS.c.labels.contains([old]))
            .values(labels=labels, version=TASKS.c.version + 1, updated_at=utcnow())
        )
