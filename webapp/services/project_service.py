"""A user's projects: the Inbox, made with the account, and the ones they create.

Every query is scoped to the user, like TaskService's; a project that is not the user's
is the same ProjectNotFound as one that does not exist. The Inbox cannot be renamed,
archived or deleted (InboxProtected). Deleting a project that has tasks needs a choice:
move them to the Inbox, or delete them with it (undoable, like any delete).

Every change bumps the project's version; with `expected_version` (an If-Match) a
change is refused (StaleProjectError) once the project has moved past it, checked
under the row's lock so two changes against one version cannot both pass.
"""

from typing import Any, Literal

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import atomic
from webapp.models.base import utcnow, valid_id
from webapp.models.project import Project
from webapp.models.task import Task
from webapp.models.undo import UndoEntry
from webapp.services import task_sync, task_undo
from webapp.services.task_bulk import COLUMNS as TASK_COLUMNS
from webapp.services.task_order import GAP

PROJECTS, TASKS, UNDO = Project.__table__, Task.__table__, UndoEntry.__table__
TasksChoice = Literal["inbox", "delete"]


class ProjectNotFound(Exception):
    """No such project among the user's."""


class ProjectNameTaken(Exception):
    """Another of the user's projects has this name (whatever its case)."""


class InboxProtected(Exception):
    """The Inbox cannot be renamed, archived or deleted."""


class StaleProjectError(Exception):
    """The project changed since the version the caller last saw."""

    def __init__(self, current: Any) -> None:
        super().__init__(f"project {current.id} is at version {current.version}")
        self.current = current


class ProjectNotEmpty(Exception):
    """The project has tasks: say whether they go to the Inbox or are deleted."""

    def __init__(self, count: int) -> None:
        super().__init__(f"the project has {count} tasks")
        self.count = count


def _mine(user_id: int, project_id: int) -> tuple:
    return (PROJECTS.c.id == project_id, PROJECTS.c.user_id == user_id)


class ProjectService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, statement: Any) -> Any:
        try:
            row = (await self.session.exec(statement)).first()
        except IntegrityError:
            await self.session.rollback()
            raise ProjectNameTaken from None
        await self.session.commit()
        return row

    async def list_projects(self, user_id: int) -> list[Any]:
        """Inbox first, then the user's order; archived ones too (they say so)."""
        rows = await self.session.exec(
            select(*PROJECTS.c)
            .where(PROJECTS.c.user_id == user_id)
            .order_by(PROJECTS.c.is_inbox.desc(), PROJECTS.c.position, PROJECTS.c.id)
        )
        return list(rows)

    async def get_project(self, user_id: int, project_id: int, *, lock: bool = False) -> Any:
        """The project; with `lock`, locked until the transaction ends (FOR UPDATE)."""
        if not valid_id(project_id):
            raise ProjectNotFound
        query = select(*PROJECTS.c).where(*_mine(user_id, project_id))
        row = (await self.session.exec(query.with_for_update() if lock else query)).first()
        if row is None:
            raise ProjectNotFound
        return row

    async def create_project(self, user_id: int, name: str) -> Any:
        """A new project, last in the sidebar."""
        last = (
            select(func.coalesce(func.max(PROJECTS.c.position), 0) + GAP)
            .where(PROJECTS.c.user_id == user_id)
            .scalar_subquery()
        )
        return await self._one(
            insert(PROJECTS)
            .values(user_id=user_id, name=name, position=last)
            .returning(*PROJECTS.c)
        )

    async def update_project(
        self,
        user_id: int,
        project_id: int,
        *,
        name: str | None = None,
        archived: bool | None = None,
        expected_version: int | None = None,
    ) -> Any:
        """Rename and/or archive or restore; a field that would not change is no change
        (no write, no new version). StaleProjectError when `expected_version` is given
        and the project has another one."""
        project = await self.get_project(user_id, project_id)
        if expected_version is not None and project.version != expected_version:
            raise StaleProjectError(project)
        values: dict[str, Any] = {}
        if name is not None and name != project.name:
            values["name"] = name
        if archived is not None and archived != project.archived:
            values["archived"] = archived
        if not values:
            return project
        if project.is_inbox:
            raise InboxProtected
        conditions = list(_mine(user_id, project_id))
        if expected_version is not None:
            # A condition of the UPDATE itself: of two changes against one version, the
            # second waits for the first's row lock, then matches nothing.
            conditions.append(PROJECTS.c.version == expected_version)
        row = await self._one(
            update(PROJECTS)
            .where(*conditions)
            .values(**values, version=PROJECTS.c.version + 1, updated_at=utcnow())
            .returning(*PROJECTS.c)
        )
        if row is None:  # changed meanwhile (or deleted: ProjectNotFound)
            raise StaleProjectError(await self.get_project(user_id, project_id))
        return row

    async def move_project(self, user_id: int, project_id: int, *, up: bool) -> Any:
        """Swap places with the project above (or below) in the sidebar; the Inbox stays
        first. Writes the two rows that change places."""
        async with atomic(self.session):
            project = await self.get_project(user_id, project_id)
            if project.is_inbox:
                raise InboxProtected
            key = (PROJECTS.c.position, PROJECTS.c.id)
            here = (project.position, project.id)
            beyond = tuple_(*key) < tuple_(*here) if up else tuple_(*key) > tuple_(*here)
            order = [c.desc() for c in key] if up else list(key)
            other = (
                await self.session.exec(
                    select(PROJECTS.c.id, PROJECTS.c.position)
                    .where(PROJECTS.c.user_id == user_id, ~PROJECTS.c.is_inbox, beyond)
                    .order_by(*order)
                    .limit(1)
                )
            ).first()
            if other is None:
                return project
            mine, theirs = other.position, project.position  # swapped
            if mine == theirs:  # equal ranks (never made here): step past instead
                mine = theirs - 1 if up else theirs + 1
            for pid, position in ((project.id, mine), (other.id, theirs)):
                await self.session.exec(
                    update(PROJECTS)
                    .where(*_mine(user_id, pid))
                    .values(position=position, version=PROJECTS.c.version + 1, updated_at=utcnow())
                )
        return await self.get_project(user_id, project_id)

    async def task_count(self, user_id: int, project_id: int) -> int:
        count = await self.session.exec(
            select(func.count())
            .select_from(TASKS)
            .where(TASKS.c.user_id == user_id, TASKS.c.project_id == project_id)
        )
        return count.one()[0]

    async def delete_project(
        self,
        user_id: int,
        project_id: int,
        tasks: TasksChoice | None = None,
        *,
        expected_version: int | None = None,
    ) -> tuple[Any, int, int | None]:
        """Delete the project; its tasks go to the Inbox or with it, as `tasks` says.

        Returns (the project, how many tasks it had, the undo entry's id when they were
        deleted with it). ProjectNotEmpty when it has tasks and no choice was made;
        StaleProjectError when `expected_version` is given and it has another one."""
        async with atomic(self.session):
            # Locked first: a rename committing while its tasks move cannot slip past the
            # version check, and the undo entry keeps the row that was deleted.
            project = await self.get_project(user_id, project_id, lock=True)
            if expected_version is not None and project.version != expected_version:
                raise StaleProjectError(project)
            if project.is_inbox:
                raise InboxProtected
            count = await self.task_count(user_id, project_id)
            if count and tasks is None:
                raise ProjectNotEmpty(count)
            undo_id = None
            if count and tasks == "inbox":
                inbox = (
                    select(PROJECTS.c.id)
                    .where(PROJECTS.c.user_id == user_id, PROJECTS.c.is_inbox)
                    .scalar_subquery()
                )
                await self.session.exec(
                    update(TASKS)
                    .where(TASKS.c.user_id == user_id, TASKS.c.project_id == project_id)
                    # Their positions are kept: in the Inbox they keep their order.
                    .values(project_id=inbox, version=TASKS.c.version + 1, updated_at=utcnow())
                )
            elif count:
                undo_id = await self._delete_tasks_with_undo(user_id, project)
            await self.session.exec(delete(PROJECTS).where(*_mine(user_id, project_id)))
        return project, count, undo_id

    async def _delete_tasks_with_undo(self, user_id: int, project: Any) -> int:
        """Delete the project's tasks, keeping them and the project in one undo entry."""
        deleted = (
            delete(TASKS)
            .where(TASKS.c.user_id == user_id, TASKS.c.project_id == project.id)
            .returning(*TASK_COLUMNS)
            .cte("deleted")
        )
        snapshot = select(func.jsonb_agg(func.to_jsonb(deleted.table_valued()))).scalar_subquery()
        kept = (
            select(func.to_jsonb(PROJECTS.table_valued()))
            .where(*_mine(user_id, project.id))
            .scalar_subquery()
        )
        payload = func.jsonb_build_object("project", kept, "tasks", snapshot)
        entry = (
            insert(UNDO)
            .values(user_id=user_id, kind=task_undo.PROJECT, payload=payload, created_at=utcnow())
            .returning(UNDO.c.id)
        )
        tombstones = task_sync.record_tombstones(deleted)
        return (await self.session.exec(entry.add_cte(deleted, tombstones))).one().id
