"""Projects, labels and the manual order, at the service level (real PostgreSQL)."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import PASSWORD
from tests.test_task_service import _until_waiting_for_a_lock
from webapp.db import counting_round_trips, create_sessionmaker
from webapp.models.user import User
from webapp.schemas.task import TaskCreate, TaskUpdate
from webapp.services import task_order
from webapp.services.label_service import LabelChange, LabelService
from webapp.services.overview import overview
from webapp.services.project_service import (
    InboxProtected,
    ProjectNotEmpty,
    ProjectNotFound,
    ProjectService,
    StaleProjectError,
)
from webapp.services.task_service import Sort, TaskFilter, TaskService
from webapp.services.user_service import UserService


async def _titles(session: AsyncSession, user_id: int, view: TaskFilter = TaskFilter()) -> list:  # noqa: B008
    page = await TaskService(session).list_tasks(user_id, view, sort=Sort.manual)
    return [task.title for task in page.tasks]


async def _add(session: AsyncSession, user_id: int, title: str, **fields) -> object:
    return await TaskService(session).create_task(user_id, TaskCreate(title=title, **fields))


async def test_a_new_user_has_an_inbox_and_tasks_go_there(
    session: AsyncSession, user: User
) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    projects = await ProjectService(session).list_projects(uid)
    assert [(p.name, p.is_inbox) for p in projects] == [("Inbox", True)]
    task = await _add(session, uid, "Milk")
    assert task.project_id == projects[0].id


async def test_new_tasks_go_on_top_and_a_move_writes_one_row(
    session: AsyncSession, user: User, clean_db: AsyncEngine
) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    a, b, c = [await _add(session, uid, t) for t in ("a", "b", "c")]
    assert await _titles(session, uid) == ["c", "b", "a"]
    with counting_round_trips(clean_db) as sent:
        moved = await TaskService(session).move_task(uid, c.id, after=a.id)
    assert moved.version == c.version + 1
    assert await _titles(session, uid) == ["b", "a", "c"]
    writes = [sql for sql in sent if not sql.lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("UPDATE tasks")  # that row alone
    await TaskService(session).move_task(uid, c.id, before=b.id)
    assert await _titles(session, uid) == ["c", "b", "a"]


async def test_many_moves_into_one_gap_renumber_and_keep_the_order(
    session: AsyncSession, user: User
) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    tasks = [await _add(session, uid, str(n)) for n in range(4)]  # shown 3, 2, 1, 0
    service = TaskService(session)
    # Alternate two tasks between "3" and "2": each move halves the same gap.
    for n in range(70):
        await service.move_task(uid, tasks[n % 2].id, after=tasks[3].id)
    assert await _titles(session, uid) == ["3", "1", "0", "2"]
    positions = [t.position for t in (await service.list_tasks(uid, sort=Sort.manual)).tasks]
    assert positions == sorted(positions) and len(set(positions)) == 4
    assert min(b - a for a, b in zip(positions, positions[1:], strict=False)) >= 2


async def test_between() -> None:
    assert task_order.between(0, 10) == 5
    assert task_order.between(0, 1) is None
    assert task_order.between(None, 0) == -task_order.GAP
    assert task_order.between(7, None) == 7 + task_order.GAP


async def test_projects_views_and_counts(session: AsyncSession, user: User) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    service = ProjectService(session)
    home = await service.create_project(uid, "Home")
    work = await service.create_project(uid, "Work")
    await _add(session, uid, "Paint", project_id=home.id)
    await _add(session, uid, "Report", project_id=work.id)
    done = await _add(session, uid, "Invoice", project_id=work.id)
    await TaskService(session).set_completed(uid, done.id, True)
    assert await _titles(session, uid, TaskFilter(project_id=work.id)) == ["Invoice", "Report"]
    summary = await overview(session, uid, TaskFilter(project_id=work.id))
    assert [(p.name, p.open_count) for p in summary.projects] == [
        ("Inbox", 0),
        ("Home", 1),
        ("Work", 1),
    ]
    assert (summary.active, summary.completed) == (1, 1)
    await service.move_project(uid, work.id, up=True)
    summary = await overview(session, uid, TaskFilter())
    assert [p.name for p in summary.projects] == ["Inbox", "Work", "Home"]


async def test_the_inbox_cannot_be_renamed_or_deleted(session: AsyncSession, user: User) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    service = ProjectService(session)
    inbox = (await service.list_projects(uid))[0]
    with pytest.raises(InboxProtected):
        await service.update_project(uid, inbox.id, name="Elsewhere")
    with pytest.raises(InboxProtected):
        await service.delete_project(uid, inbox.id, "inbox")


async def test_deleting_a_project_moves_its_tasks_to_the_inbox(
    session: AsyncSession, user: User
) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    service = ProjectService(session)
    home = await service.create_project(uid, "Home")
    for title in ("Paint", "Sweep"):
        await _add(session, uid, title, project_id=home.id)
    with pytest.raises(ProjectNotEmpty):
        await service.delete_project(uid, home.id)
    _, count, undo_id = await service.delete_project(uid, home.id, "inbox")
    assert (count, undo_id) == (2, None)
    inbox = (await service.list_projects(uid))[0]
    assert await _titles(session, uid, TaskFilter(project_id=inbox.id)) == ["Sweep", "Paint"]


async def test_deleting_a_project_with_its_tasks_can_be_undone(
    session: AsyncSession, user: User
) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    service = ProjectService(session)
    home = await service.create_project(uid, "Home")
    paint = await _add(session, uid, "Paint", project_id=home.id, labels=["weekend"])
    _, count, undo_id = await service.delete_project(uid, home.id, "delete")
    assert count == 1 and undo_id is not None
    assert await _titles(session, uid) == []
    changed = await TaskService(session).undo(uid, undo_id)
    assert changed is not None and changed.count == 1
    restored = await TaskService(session).get_task(uid, paint.id)
    assert (restored.project_id, restored.labels) == (home.id, ["weekend"])
    assert (await service.get_project(uid, home.id)).name == "Home"


async def test_another_users_project_is_not_found(session: AsyncSession, user: User) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    bob_id = (await UserService(session).create_user("bob@example.com", PASSWORD)).id
    theirs = await ProjectService(session).create_project(bob_id, "Secret")
    with pytest.raises(ProjectNotFound):
        await _add(session, uid, "Sneak", project_id=theirs.id)
    mine = await _add(session, uid, "Mine")
    with pytest.raises(ProjectNotFound):
        await TaskService(session).update_task(uid, mine.id, TaskUpdate(project_id=theirs.id))
    with pytest.raises(ProjectNotFound):
        await ProjectService(session).delete_project(uid, theirs.id, "delete")
    assert await _titles(session, bob_id) == []


async def test_labels_are_created_on_first_use_whatever_their_case(
    session: AsyncSession, user: User
) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    first = await _add(session, uid, "Call", labels=["Phone", "@errands"])
    assert first.labels == ["errands", "Phone"]
    second = await _add(session, uid, "Text", labels="phone")
    assert second.labels == ["Phone"]
    labels = LabelService(session)
    assert [label.name for label in await labels.list_labels(uid)] == ["errands", "Phone"]
    assert await _titles(session, uid, TaskFilter(label="PHONE")) == ["Text", "Call"]
    phone = next(label for label in await labels.list_labels(uid) if label.name == "Phone")
    await labels.update_label(uid, phone.id, LabelChange(name="Calls", color="red"))
    assert (await TaskService(session).get_task(uid, first.id)).labels == ["errands", "Calls"]
    await labels.delete_label(uid, phone.id)
    assert (await TaskService(session).get_task(uid, second.id)).labels == []


async def test_every_change_to_a_project_or_label_moves_its_version_on(
    session: AsyncSession, user: User
) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    service = ProjectService(session)
    home, work = (
        await service.create_project(uid, "Home"),
        await service.create_project(uid, "Work"),
    )
    assert (home.version, work.version) == (1, 1)
    assert (await service.update_project(uid, home.id, name="House")).version == 2
    assert (await service.update_project(uid, home.id, archived=True)).version == 3
    # Nothing to change: no write, so no new version.
    assert (await service.update_project(uid, home.id, name="House")).version == 3
    # A move writes both rows that swap places.
    assert (await service.move_project(uid, work.id, up=True)).version == 2
    assert (await service.get_project(uid, home.id)).version == 4
    # Undo brings a deleted project back past the version it was deleted at.
    await _add(session, uid, "Paint", project_id=work.id)
    _, _, undo_id = await service.delete_project(uid, work.id, "delete")
    assert undo_id is not None and await TaskService(session).undo(uid, undo_id)
    assert (await service.get_project(uid, work.id)).version == 3

    labels = LabelService(session)
    await _add(session, uid, "Call", labels=["phone"])
    phone = (await labels.list_labels(uid))[0]
    assert (await labels.get_label(uid, phone.id)).version == 1
    assert (await labels.update_label(uid, phone.id, LabelChange(color="red"))).version == 2
    assert (await labels.update_label(uid, phone.id, LabelChange(name="Calls"))).version == 3
    assert (await labels.update_label(uid, phone.id, LabelChange(name="Calls"))).version == 3
    # Naming it on another task again changes nothing of the label.
    await _add(session, uid, "Text", labels=["CALLS"])
    assert (await labels.get_label(uid, phone.id)).version == 3


@pytest.mark.parametrize("change", ["rename", "delete"])
async def test_two_changes_against_one_version_cannot_both_win(
    engine: AsyncEngine, session: AsyncSession, user: User, change: str
) -> None:
    uid = user.id  # read now: a rollback expires the fixture's object
    home_id = (await ProjectService(session).create_project(uid, "Home")).id
    make = create_sessionmaker(engine)
    async with make() as first, make() as second:
        second_pid = (await second.exec(text("SELECT pg_backend_pid()"))).scalar_one()
        # The first change holds the row; the second, made against the same version, has
        # read it already and waits for the lock, then finds the project moved on.
        lock = text("SELECT 1 FROM projects WHERE id = :id FOR UPDATE")
        await first.exec(lock, params={"id": home_id})
        service = ProjectService(second)
        two = asyncio.create_task(
            service.update_project(uid, home_id, name="Theirs", expected_version=1)
            if change == "rename"
            else service.delete_project(uid, home_id, expected_version=1)
        )
        try:
            await _until_waiting_for_a_lock(session, second_pid)
            await ProjectService(first).update_project(
                uid, home_id, name="Mine", expected_version=1
            )
            with pytest.raises(StaleProjectError) as stale:
                await two
            assert stale.value.current.version == 2
        finally:
            if not two.done():
                two.cancel()
            await first.rollback()
            await second.rollback()
    await session.rollback()
    stored = await ProjectService(session).get_project(uid, home_id)
    assert (stored.name, stored.version) == ("Mine", 2)
