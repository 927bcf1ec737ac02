"""Rate limits kept only in this process's memory: code entry per address, submissions per code.

Keys are hashed with a random per-process salt before they are kept, so not even memory holds
a client address in the clear, and nothing here is ever logged. A class of 35 behind one
school address must be able to enter its code within a minute, so the code-entry limit
allows a burst well above that; guessing a 10-character code stays hopeless at that rate.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from climate.errors import RateLimited

# Per address: 120 code look-ups a minute lets three classes share one school address.
CODE_ENTRY = (120, 60.0)
# Per code: a whole school may share one class code, so a few hundred a minute is normal.
SUBMISSIONS = (600, 60.0)
MAX_KEYS = 100_000


@dataclass(slots=True)
class RateLimiter:
    """A fixed-window counter per key: at most ``limit`` hits per ``window`` seconds."""

    limit: int
    window: float
    clock: Callable[[], float] = time.monotonic
    _salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    _counts: dict[bytes, tuple[float, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")

    def hit(self, key: str) -> None:
        """Count one attempt for ``key``; raise RateLimited once over the limit."""
        now = self.clock()
        digest = hashlib.blake2b(key.encode("utf-8"), key=self._salt, digest_size=16).digest()
        started, count = self._counts.get(digest, (now, 0))
        if now - started >= self.window:
            started, count = now, 0
        if count >= self.limit:
            raise RateLimited(retry_after=max(1, round(self.window - (now - started))))
        if len(self._counts) >= MAX_KEYS:
            self._prune(now)
        self._counts[digest] = (started, count + 1)

    def _prune(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}
        if len(self._counts) >= MAX_KEYS:
            # Under a flood of distinct keys, forgetting is safer than growing without bound.
            self._counts.clear()


@dataclass(slots=True)
class Limits:
    """The limits one app applies."""

    code_entry: RateLimiter = field(default_factory=lambda: RateLimiter(*CODE_ENTRY))
    submissions: RateLimiter = field(default_factory=lambda: RateLimiter(*SUBMISSIONS))
