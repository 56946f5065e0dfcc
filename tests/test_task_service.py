"""TaskService on real PostgreSQL: every operation, and one user never touching another's tasks."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models import Priority, Task, User
from webapp.schemas import TaskCreate, TaskUpdate
from webapp.services.task_service import StaleTaskError, TaskService
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
    assert task.title == "Write tests"
    assert task.priority == Priority.high
    assert task.completed is False
    assert task.created_at.tzinfo is not None
    stored = await service.get_task_by_id(alice.id, task.id)
    assert stored is not None and stored.title == "Write tests"


async def test_list_is_newest_first_and_filters(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    first = await service.create_task(alice.id, TaskCreate(title="first", priority="low"))
    second = await service.create_task(alice.id, TaskCreate(title="second", priority="high"))
    third = await service.create_task(alice.id, TaskCreate(title="third", priority="high"))
    await service.update_task(alice.id, second.id, TaskUpdate(completed=True))

    assert [t.id for t in await service.get_tasks(alice.id)] == [third.id, second.id, first.id]
    assert [t.id for t in await service.get_tasks(alice.id, completed=True)] == [second.id]
    assert [t.id for t in await service.get_tasks(alice.id, completed=False)] == [
        third.id,
        first.id,
    ]
    assert [t.id for t in await service.get_tasks(alice.id, priority=Priority.high)] == [
        third.id,
        second.id,
    ]
    high_open = await service.get_tasks(alice.id, completed=False, priority=Priority.high)
    assert [t.id for t in high_open] == [third.id]


async def test_search_matches_title_and_description_case_insensitively(
    session: AsyncSession, alice: User
) -> None:
    service = TaskService(session)
    a = await service.create_task(alice.id, TaskCreate(title="Buy MILK"))
    b = await service.create_task(alice.id, TaskCreate(title="Call", description="about milk"))
    await service.create_task(alice.id, TaskCreate(title="100% done"))
    assert {t.id for t in await service.get_tasks(alice.id, search="milk")} == {a.id, b.id}
    # LIKE wildcards in the search are plain characters.
    assert [t.title for t in await service.get_tasks(alice.id, search="%")] == ["100% done"]


async def test_keyset_pages_cover_every_task_once(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    for i in range(7):
        await service.create_task(alice.id, TaskCreate(title=f"task {i}"))
    seen: list[int] = []
    after = None
    while True:
        page = await service.get_tasks(alice.id, after=after, limit=3)
        if not page:
            break
        seen += [t.id for t in page]
        after = (page[-1].created_at, page[-1].id)
    assert len(seen) == 7 and len(set(seen)) == 7


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
    assert (await service.get_task_by_id(alice.id, task.id)).title == "v2"


async def test_delete(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    task = await service.create_task(alice.id, TaskCreate(title="gone soon"))
    deleted = await service.delete_task(alice.id, task.id)
    assert deleted is not None and deleted.title == "gone soon"
    assert await service.get_task_by_id(alice.id, task.id) is None
    assert await service.delete_task(alice.id, task.id) is None


async def test_counts_complete_all_and_clear_completed(session: AsyncSession, alice: User) -> None:
    service = TaskService(session)
    for title in ("a", "b", "c"):
        await service.create_task(alice.id, TaskCreate(title=title))
    assert await service.count_tasks(alice.id) == (3, 0)
    assert await service.complete_all(alice.id) == 3
    assert await service.count_tasks(alice.id) == (0, 3)
    assert len(await service.clear_completed(alice.id)) == 3
    assert await service.get_tasks(alice.id) == []


async def test_other_user_can_never_touch_a_task(
    session: AsyncSession, alice: User, bob: User
) -> None:
    service = TaskService(session)
    task = await service.create_task(alice.id, TaskCreate(title="alice's secret"))
    await service.create_task(bob.id, TaskCreate(title="bob's"))

    assert await service.get_task_by_id(bob.id, task.id) is None
    assert all(t.user_id == bob.id for t in await service.get_tasks(bob.id))
    assert await service.get_tasks(bob.id, search="secret") == []
    assert await service.update_task(bob.id, task.id, TaskUpdate(title="pwned")) is None
    assert await service.delete_task(bob.id, task.id) is None
    await service.complete_all(bob.id)
    await service.clear_completed(bob.id)

    still = await service.get_task_by_id(alice.id, task.id)
    assert still is not None and still.title == "alice's secret" and not still.completed


async def test_database_enforces_priority_and_cascade(session: AsyncSession, alice: User) -> None:
    alice_id = alice.id
    session.add(Task(user_id=alice_id, title="bad", priority="urgent"))
    with pytest.raises(IntegrityError):
        await session.commit()
    await session.rollback()

    await TaskService(session).create_task(alice_id, TaskCreate(title="mine"))
    await session.delete(await session.get(User, alice_id))
    await session.commit()
    assert await TaskService(session).get_tasks(alice_id) == []


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


async def test_restore_puts_a_deleted_task_back_as_it_was(
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
    assert deleted is not None
    snapshot = {
        "task_id": deleted.id,
        "title": deleted.title,
        "description": deleted.description,
        "priority": deleted.priority,
        "completed": deleted.completed,
        "created_at": deleted.created_at,
        "version": deleted.version,
    }

    restored = await service.restore_task(alice.id, **snapshot)

    assert restored is not None
    assert (restored.id, restored.title, restored.description) == (task.id, "Undo me", "notes")
    assert restored.priority == Priority.high and restored.completed is True
    assert restored.created_at == deleted.created_at
    assert restored.version > deleted.version
    # Back in its old place, between the tasks created around it.
    assert [t.id for t in await service.get_tasks(alice.id)] == [newer.id, task.id, older.id]
    # A second undo of the same delete does not make a copy.
    assert await service.restore_task(alice.id, **snapshot) is None
    assert len(await service.get_tasks(alice.id)) == 3
    assert await service.get_tasks(bob.id) == []


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
        await one._lock_task(alice_id, task_id)
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
    stored = await TaskService(session).get_task_by_id(alice_id, task_id)
    assert stored.title == "first" and stored.version == 2
    await session.rollback()
