"""TaskService on real PostgreSQL: every operation, and one user never touching another's tasks."""

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.db import Query, Record
from webapp.models import Priority, Task, User
from webapp.schemas import TaskCreate, TaskUpdate
from webapp.services.task_service import (
    StaleTaskError,
    TaskFilter,
    TaskNotFound,
    TaskService,
    decode_cursor,
)
from webapp.services.user_service import EmailTakenError, UserService


@pytest.fixture
async def alice(session: AsyncSession) -> User:
    return await UserService(session).create_user("alice@example.com", "correct horse battery")


@pytest.fixture
async def bob(session: AsyncSession) -> User:
    return await UserService(session).create_user("bob@example.com", "another fine password")


async def test_create_returns_stored_task(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    task = await service.create_task(
        alice.id, TaskCreate(title="  Write tests ", description="real db", priority="high")
    )
    assert task.id is not None
    assert isinstance(task.uid, UUID)  # made by PostgreSQL: the INSERT leaves it out
    assert task.title == "Write tests"
    assert task.priority == Priority.high
    assert task.completed is False
    assert task.created_at.tzinfo is not None
    stored = await service.get_task(alice.id, task.id)
    assert stored.title == "Write tests"


async def test_list_is_newest_first_and_filters(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    first = await service.create_task(alice.id, TaskCreate(title="first", priority="low"))
    second = await service.create_task(alice.id, TaskCreate(title="second", priority="high"))
    third = await service.create_task(alice.id, TaskCreate(title="third", priority="high"))
    await service.update_task(alice.id, second.id, TaskUpdate(completed=True))

    async def ids(**view: object) -> list[int]:
        return [t.id for t in (await service.list_tasks(alice.id, TaskFilter(**view))).tasks]

    assert await ids() == [third.id, second.id, first.id]
    assert await ids(completed=True) == [second.id]
    assert await ids(completed=False) == [third.id, first.id]
    assert await ids(priority=Priority.high) == [third.id, second.id]
    assert await ids(completed=False, priority=Priority.high) == [third.id]


async def test_search_matches_title_and_description_case_insensitively(
    session: AsyncSession, alice: User
) -> None:
    service = TaskService(session)
    a = await service.create_task(alice.id, TaskCreate(title="Buy MILK"))
    b = await service.create_task(alice.id, TaskCreate(title="Call", description="about milk"))
    await service.create_task(alice.id, TaskCreate(title="100% done"))
    found = await service.list_tasks(alice.id, TaskFilter(search="milk"))
    assert {t.id for t in found.tasks} == {a.id, b.id}
    # LIKE wildcards in the search are plain characters.
    found = await service.list_tasks(alice.id, TaskFilter(search="%"))
    assert [t.title for t in found.tasks] == ["100% done"]


async def test_keyset_pages_cover_every_task_once(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    for i in range(7):
        await service.create_task(alice.id, TaskCreate(title=f"task {i}"))
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = await service.list_tasks(alice.id, after=after, limit=3)
        pages += 1
        seen += [t.id for t in page.tasks]
        if not page.next_cursor:
            break
        after = decode_cursor(page.next_cursor)
    assert len(seen) == 7 and len(set(seen)) == 7 and pages == 3


async def test_update_is_partial_and_bumps_updated_at_and_version(
    session: AsyncSession, alice: User
) -> None:
    service = TaskService(session)
    task = await service.create_task(alice.id, TaskCreate(title="old", description="keep me"))
    before, version = task.updated_at, task.version
    updated = await service.update_task(alice.id, task.id, TaskUpdate(title="new"))
    assert updated is not None
    assert updated.title == "new"
    assert updated.description == "keep me"
    assert updated.priority == Priority.medium
    assert updated.updated_at > before
    assert updated.version == version + 1


async def test_stale_version_changes_nothing(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    task = await service.create_task(alice.id, TaskCreate(title="v1"))
    await service.update_task(alice.id, task.id, TaskUpdate(title="v2"))
    with pytest.raises(StaleTaskError) as raised:
        await service.update_task(
            alice.id, task.id, TaskUpdate(title="from stale tab"), expected_version=1
        )
    assert raised.value.current.title == "v2"
    alice_id, task_id = alice.id, task.id
    await session.rollback()
    assert (await service.get_task(alice_id, task_id)).title == "v2"


async def test_delete(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    task = await service.create_task(alice.id, TaskCreate(title="gone soon"))
    deleted = await service.delete_task(alice.id, task.id)
    assert deleted.count == 1 and deleted.tasks[0].title == "gone soon"
    with pytest.raises(TaskNotFound):
        await service.get_task(alice.id, task.id)
    with pytest.raises(TaskNotFound):
        await service.delete_task(alice.id, task.id)


async def test_counts_complete_all_and_clear_completed(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    for title in ("a", "b", "c"):
        await service.create_task(alice.id, TaskCreate(title=title))
    assert await service.count_tasks(alice.id) == (3, 0)
    assert (await service.complete_matching(alice.id, TaskFilter())).count == 3
    assert await service.count_tasks(alice.id) == (0, 3)
    assert (await service.delete_completed_matching(alice.id, TaskFilter())).count == 3
    assert (await service.list_tasks(alice.id)).tasks == []


async def test_other_user_can_never_touch_a_task(
    session: AsyncSession, alice: User, bob: User
) -> None:
    service = TaskService(session)
    alice_id, bob_id = alice.id, bob.id
    task_id = (await service.create_task(alice_id, TaskCreate(title="alice's secret"))).id
    await service.create_task(bob_id, TaskCreate(title="bob's"))

    for attempt in (
        service.get_task(bob_id, task_id),
        service.update_task(bob_id, task_id, TaskUpdate(title="pwned")),
        service.set_completed(bob_id, task_id, True),
        service.delete_task(bob_id, task_id),
    ):
        with pytest.raises(TaskNotFound):
            await attempt
        await session.rollback()
    assert all(t.user_id == bob_id for t in (await service.list_tasks(bob_id)).tasks)
    assert (await service.list_tasks(bob_id, TaskFilter(search="secret"))).tasks == []
    await service.complete_matching(bob_id, TaskFilter())
    await service.delete_completed_matching(bob_id, TaskFilter())

    still = await service.get_task(alice_id, task_id)
    assert still.title == "alice's secret" and not still.completed


async def test_database_enforces_priority_and_cascade(session: AsyncSession, alice: User) -> None:
    alice_id = alice.id
    session.add(Task(user_id=alice_id, title="bad", priority="urgent"))
    with pytest.raises(IntegrityError):
        await session.commit()
    await session.rollback()

    await TaskService(session).create_task(alice_id, TaskCreate(title="mine"))
    await session.delete(await session.get(User, alice_id))
    await session.commit()
    assert (await TaskService(session).list_tasks(alice_id)).tasks == []


async def test_users_emails_are_unique_whatever_the_case(
    session: AsyncSession, alice: User
) -> None:
    users = UserService(session)
    with pytest.raises(EmailTakenError):
        await users.create_user("  ALICE@Example.com ", "some other password")
    found = await users.get_user_by_email("Alice@EXAMPLE.com")
    assert found is not None and found.id == alice.id
    assert found.password_hash.startswith("$argon2id$")
    assert found.created_at < datetime.now(UTC)


async def test_undo_puts_a_deleted_task_back_as_it_was(
    session: AsyncSession, alice: User, bob: User
) -> None:
    service = TaskService(session)
    older = await service.create_task(alice.id, TaskCreate(title="older"))
    task = await service.create_task(
        alice.id, TaskCreate(title="Undo me", description="notes", priority="high")
    )
    newer = await service.create_task(alice.id, TaskCreate(title="newer"))
    await service.update_task(alice.id, task.id, TaskUpdate(completed=True))
    deleted = await service.delete_task(alice.id, task.id)
    gone = deleted.tasks[0]
    assert deleted.undo_id is not None

    # Someone else's undo token names nothing of theirs.
    assert await service.undo(bob.id, deleted.undo_id) is None
    restored = (await service.undo(alice.id, deleted.undo_id)).tasks[0]

    assert (restored.id, restored.title, restored.description) == (task.id, "Undo me", "notes")
    assert restored.uid == task.uid  # the same task to an export, not a new one
    assert restored.priority == Priority.high and restored.completed is True
    assert restored.created_at == gone.created_at
    assert restored.version > gone.version
    # Back in its old place, between the tasks created around it.
    listed = (await service.list_tasks(alice.id)).tasks
    assert [t.id for t in listed] == [newer.id, task.id, older.id]
    # A second undo of the same delete does not make a copy.
    assert await service.undo(alice.id, deleted.undo_id) is None
    assert len((await service.list_tasks(alice.id)).tasks) == 3
    assert (await service.list_tasks(bob.id)).tasks == []


async def test_undo_of_an_entry_written_before_uids_gives_the_task_a_new_one(
    session: AsyncSession, alice: User
) -> None:
    service = TaskService(session)
    task = await service.create_task(alice.id, TaskCreate(title="Deleted before 0006"))
    deleted = await service.delete_task(alice.id, task.id)
    # What an undo entry written by the previous release holds: every column but uid.
    await session.exec(
        text("UPDATE undo_entries SET payload = jsonb_build_array((payload->0) - 'uid')")
    )
    await session.commit()
    restored = (await service.undo(alice.id, deleted.undo_id)).tasks[0]
    assert restored.title == "Deleted before 0006" and isinstance(restored.uid, UUID)


async def test_only_the_latest_delete_can_be_undone(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    task = await service.create_task(alice.id, TaskCreate(title="first title"))
    first = await service.delete_task(alice.id, task.id)
    await service.undo(alice.id, first.undo_id)
    await service.update_task(alice.id, task.id, TaskUpdate(title="second title"))
    second = await service.delete_task(alice.id, task.id)
    # Replaying the first undo (still within its time) must not bring back "first title".
    assert await service.undo(alice.id, first.undo_id) is None
    with pytest.raises(TaskNotFound):
        await service.get_task(alice.id, task.id)
    restored = await service.undo(alice.id, second.undo_id)
    assert restored.tasks[0].title == "second title"


async def test_bulk_actions_touch_only_the_view_and_can_be_undone(
    session: AsyncSession, alice: User
) -> None:
    service = TaskService(session)
    bike = await service.create_task(alice.id, TaskCreate(title="Fix the bike"))
    milk = await service.create_task(alice.id, TaskCreate(title="Buy milk"))
    bread = await service.create_task(alice.id, TaskCreate(title="Buy bread"))
    await service.set_completed(alice.id, bread.id, True)
    bikes = TaskFilter(search="bike")

    assert await service.count_tasks(alice.id, bikes) == (1, 0)
    completed = await service.complete_matching(alice.id, bikes)
    assert completed.count == 1
    assert not (await service.get_task(alice.id, milk.id)).completed
    reopened = await service.undo(alice.id, completed.undo_id)
    assert [t.id for t in reopened.tasks] == [bike.id]
    assert not (await service.get_task(alice.id, bike.id)).completed

    await service.set_completed(alice.id, bike.id, True)
    # Clearing the completed tasks of the bike view deletes the bike only, not the bread.
    cleared = await service.delete_completed_matching(alice.id, bikes)
    assert [t.id for t in cleared.tasks] == [bike.id]
    assert (await service.get_task(alice.id, bread.id)).completed
    await service.undo(alice.id, cleared.undo_id)
    assert (await service.get_task(alice.id, bike.id)).completed


async def test_undo_of_mark_complete_leaves_tasks_changed_since(
    session: AsyncSession, alice: User
) -> None:
    service = TaskService(session)
    a = await service.create_task(alice.id, TaskCreate(title="a"))
    b = await service.create_task(alice.id, TaskCreate(title="b"))
    completed = await service.complete_matching(alice.id, TaskFilter())
    await service.update_task(alice.id, b.id, TaskUpdate(title="b, edited since"))
    reopened = await service.undo(alice.id, completed.undo_id)
    assert [t.id for t in reopened.tasks] == [a.id]
    assert (await service.get_task(alice.id, b.id)).completed


async def test_setting_the_status_is_idempotent(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    task = await service.create_task(alice.id, TaskCreate(title="t"))
    done = await service.set_completed(alice.id, task.id, True)
    assert done.completed and done.version == 2
    # A stale tab asking for "done" again leaves it done, and does not even bump the version.
    again = await service.set_completed(alice.id, task.id, True)
    assert again.completed and again.version == 2
    assert not (await service.set_completed(alice.id, task.id, False)).completed
    assert (await service.set_completed(alice.id, task.id, None)).completed  # flip


async def test_concurrent_flips_are_never_lost(engine, session: AsyncSession, alice: User) -> None:
    from webapp.db import create_sessionmaker

    task = await TaskService(session).create_task(alice.id, TaskCreate(title="t"))
    make = create_sessionmaker(engine)

    async def flip() -> None:
        async with make() as own:
            await TaskService(own).set_completed(alice.id, task.id, None)

    alice_id, task_id = alice.id, task.id
    for _ in range(5):
        await asyncio.gather(flip(), flip())
    session.expire_all()
    stored = await TaskService(session).get_task(alice_id, task_id)
    # Ten flips, each applied to what the one before left: back where it started.
    assert stored.completed is False and stored.version == 11


@pytest.mark.parametrize("task_id", [0, -1, 2**31, 10**10, 2**63])
async def test_ids_no_row_can_have_are_not_found(
    session: AsyncSession, alice: User, task_id: int
) -> None:
    service = TaskService(session)
    for attempt in (
        service.get_task(alice.id, task_id),
        service.update_task(alice.id, task_id, TaskUpdate(title="x")),
        service.set_completed(alice.id, task_id, True),
        service.delete_task(alice.id, task_id),
    ):
        with pytest.raises(TaskNotFound):
            await attempt


async def _until_waiting_for_a_lock(session: AsyncSession, pid: int) -> None:
    """Poll until backend `pid` is blocked on a lock (polling for a state, not timing it)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND wait_event_type = 'Lock'"
    )
    for _ in range(1000):
        if (await session.exec(query, params={"pid": pid})).scalar_one():
            return
        await session.rollback()
        await asyncio.sleep(0.01)
    raise AssertionError("the second update never waited for the row lock")


async def test_concurrent_updates_from_one_version_cannot_both_win(
    engine, session: AsyncSession, alice: User
) -> None:
    from webapp.db import create_sessionmaker

    alice_id = alice.id
    task = await TaskService(session).create_task(alice_id, TaskCreate(title="v1"))
    task_id = task.id
    make = create_sessionmaker(engine)
    async with make() as first, make() as second:
        second_pid = (await second.exec(text("SELECT pg_backend_pid()"))).scalar_one()
        # The first change holds the row; the second, made against the same version, must
        # wait for it and then see that the task has moved on.
        one = TaskService(first)
        lock = text("SELECT 1 FROM tasks WHERE id = :id FOR UPDATE")
        await first.exec(lock, params={"id": task_id})
        two = asyncio.create_task(
            TaskService(second).update_task(
                alice_id, task_id, TaskUpdate(title="second"), expected_version=1
            )
        )
        try:
            await _until_waiting_for_a_lock(session, second_pid)
            await one.update_task(alice_id, task_id, TaskUpdate(title="first"), expected_version=1)
            with pytest.raises(StaleTaskError):
                await two
        finally:
            if not two.done():
                two.cancel()
            await first.rollback()
            await second.rollback()
    await session.rollback()
    stored = await TaskService(session).get_task(alice_id, task_id)
    assert stored.title == "first" and stored.version == 2
    await session.rollback()


async def test_rows_read_like_the_model_before_and_after_their_columns_are_known(
    session: AsyncSession, alice: User
) -> None:
    """A `Query` learns its columns from its first rows and reads later ones by property:
    both read the same, keep Record's own methods, and a missing name is no attribute."""
    made = await TaskService(session).create_task(alice.id, TaskCreate(title="t", labels=["b"]))
    tasks = Task.__table__
    query = Query(
        select(tasks.c.id, tasks.c.title, tasks.c.labels).where(tasks.c.id == bindparam("id"))
    )
    first = await query.fetchrow(session, id=made.id)
    later = await query.fetchrow(session, id=made.id)
    assert type(first) is Record and type(later) is not Record
    for row in (first, later):
        assert (row.id, row.title, row.labels) == (made.id, "t", ["b"])
        assert dict(row.items())["title"] == "t" and row.get("title") == "t"
        assert not hasattr(row, "no_such_column")
