"""Deleting an account removes everything of that user and nothing of anyone else's."""

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models import ApiToken, LoginAttempt, Task, UndoEntry, User, UserSession
from webapp.schemas import TaskCreate
from webapp.services.account_service import AccountService
from webapp.services.session_service import SessionService
from webapp.services.task_service import TaskService
from webapp.services.token_service import TokenService
from webapp.services.user_service import UserService


async def _everything(session: AsyncSession, user_id: int, email: str) -> dict[str, int]:
    async def count(model, condition) -> int:  # noqa: ANN001
        return (await session.exec(select(func.count()).select_from(model).where(condition))).one()[
            0
        ]

    return {
        "users": await count(User, User.id == user_id),
        "tasks": await count(Task, Task.user_id == user_id),
        "sessions": await count(UserSession, UserSession.user_id == user_id),
        "tokens": await count(ApiToken, ApiToken.user_id == user_id),
        "undo": await count(UndoEntry, UndoEntry.user_id == user_id),
        "attempts": await count(LoginAttempt, LoginAttempt.email == email),
    }


async def _populate(session: AsyncSession, email: str) -> int:
    user = await UserService(session).create_user(email, "a fine passphrase")
    tasks = TaskService(session)
    first = await tasks.create_task(user.id, TaskCreate(title="one"))
    await tasks.create_task(user.id, TaskCreate(title="two"))
    await tasks.delete_task(user.id, first.id)  # an undo entry
    await SessionService(session).create_session(user.id, "test")
    await TokenService(session).create_token(user.id, "script")
    session.add(LoginAttempt(email=email, client="10.0.0.1", kind="login"))
    await session.commit()
    return user.id


async def test_delete_account_removes_all_of_it_and_nothing_else(session: AsyncSession) -> None:
    alice = await _populate(session, "alice@example.com")
    bob = await _populate(session, "bob@example.com")
    before_bob = await _everything(session, bob, "bob@example.com")
    assert all(before_bob.values())

    assert await AccountService(session).delete_account(alice) is True

    assert set((await _everything(session, alice, "alice@example.com")).values()) == {0}
    assert await _everything(session, bob, "bob@example.com") == before_bob
    assert await AccountService(session).delete_account(alice) is False
