"""Password hashing with argon2id, off the event loop, and the one rule a new password must meet.

One argon2 check takes about 150 ms of CPU. Run on the event loop, a few failed sign-ins (which
need no account) would stall every other request of that worker, health checks included. So
hashing runs on a pool of ``HASHING_THREADS`` threads of its own (argon2 releases the GIL while
it works): a flood of sign-ins waits in that pool's queue, and the loop keeps serving. The pool
is separate from the loop's default executor so that a flood cannot take the threads other work
runs on, and it works whatever event loop calls it (each test client has its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# Hashing a megabyte-long "password" would tie up a worker; nobody types one.
MAX_LENGTH = 256
# Hashes at once per process: enough for a real sign-in to wait at most a few checks,
# few enough that a flood leaves the other core(s) to the event loop.
HASHING_THREADS = 2

# argon2-cffi's default is the RFC 9106 low-memory profile of argon2id.
_hasher = PasswordHasher()
_UNUSABLE = _hasher.hash("no account has this password; it only spends time")
_pool = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2")
T = TypeVar("T")


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None when it can."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password may have at most {MAX_LENGTH} characters"
    if password.strip() != password:
        return "a password may not start or end with a space"
    return None


async def _off_loop(work: Callable[..., T], *args: str) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool, work, *args)


async def hash_password(password: str) -> str:
    """The argon2id hash to store for ``password``."""
    return await _off_loop(_hasher.hash, password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (never raises for a bad guess)."""
    if len(password) > MAX_LENGTH:
        return False
    return await _off_loop(_verify, stored, password)


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored)


async def spend_verification_time(password: str) -> None:
    """Take as long as a real check, so response times do not reveal which emails exist."""
    await verify_password(_UNUSABLE, password[:MAX_LENGTH])
