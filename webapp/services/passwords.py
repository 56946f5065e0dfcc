"""Password hashing, off the event loop.

argon2 spends tens of milliseconds of CPU on every hash and check. Run on the
event loop, a handful of concurrent logins would stall every other request of
the process, so each runs in a worker thread, and a small limiter makes a flood
of logins queue for those threads while the rest of the app keeps answering.
"""

import os
import weakref
from asyncio import AbstractEventLoop, get_running_loop

import anyio
from passlib.context import CryptContext

# argon2id, never bcrypt: bcrypt silently ignores everything after byte 72.
# Hashes made with older parameters are flagged by needs_update() and re-hashed at login.
pwd_context = CryptContext(schemes=["argon2"], deprecated="auto", argon2__type="ID")

# Checked when the email is unknown, so a login for a missing account takes as
# long as a wrong password for a real one (no account enumeration by timing).
_DUMMY_HASH = pwd_context.hash("not a real password, only here to spend the time")

# Half the cores at most: the other half keeps serving pages while logins queue.
HASH_THREADS = max(1, (os.cpu_count() or 2) // 2)

_limiters: "weakref.WeakKeyDictionary[AbstractEventLoop, anyio.CapacityLimiter]" = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    # One per event loop: a limiter belongs to the loop it was made on.
    loop = get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(HASH_THREADS)
    return limiter


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(pwd_context.hash, password, limiter=_limiter())


async def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(valid, a new hash when the stored one uses old parameters), checked in a thread.

    With no stored hash (unknown email) the dummy is checked, for the same cost.
    """
    if password_hash is None:
        await anyio.to_thread.run_sync(
            pwd_context.verify, password, _DUMMY_HASH, limiter=_limiter()
        )
        return False, None
    return await anyio.to_thread.run_sync(
        pwd_context.verify_and_update, password, password_hash, limiter=_limiter()
    )
