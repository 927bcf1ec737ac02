"""Password hashing with argon2id, and the one rule a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# Hashing a megabyte-long "password" would tie up a worker; nobody types one.
MAX_LENGTH = 256

# argon2-cffi's default is the RFC 9106 low-memory profile of argon2id.
_hasher = PasswordHasher()
_UNUSABLE = _hasher.hash("no account has this password; it only spends time")


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None when it can."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password may have at most {MAX_LENGTH} characters"
    if password.strip() != password:
        return "a password may not start or end with a space"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash to store for ``password``."""
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (never raises for a bad guess)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored)


def spend_verification_time(password: str) -> None:
    """Take as long as a real check, so response times do not reveal which emails exist."""
    verify_password(_UNUSABLE, password[:MAX_LENGTH])
