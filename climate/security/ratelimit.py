"""Rate limits shared by every worker and host: counters kept in the database.

Limits kept in process memory multiply with workers (two workers let 240 code guesses a
minute through a limit of 120), so the counters live in the one store that every worker and
host already reaches: the service's own database. That needs no second service for a
district to install and secure, survives restarts of a worker, and costs one statement per
attempt: ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING count``, atomic on SQLite and
PostgreSQL alike, so two workers can never both take the last attempt of a window. On
PostgreSQL the table is unlogged: a crash only empties it.

A window is fixed and starts at a key's first attempt after the last window ended. Keys
are HMAC'd with the service's secret key together with the limit's name, so the table holds
no address, code or email, and a reader of it cannot test a guess without the key. Rows
whose window ended long ago are pruned by one attempt in ``PRUNE_EVERY``. Nothing here is
ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.errors import RateLimited
from climate.models.limits import DIGEST_SIZE, RateCount

# Per address, every look-up of a code: three classes of 35 behind one school address open
# the notice and the survey within the same minute, and submit soon after.
LOOKUPS = (600, 60.0)
# Per address, look-ups that opened nothing (unknown, used, closed or malformed codes): a
# class mistyping its code fits; a guesser gets 60 a minute at 10 characters of 31 symbols.
MISSES = (60, 60.0)
# Per code: a whole school may share one class code, so a few hundred a minute is normal.
SUBMISSIONS = (600, 60.0)
# Sign-in, per address: a school office behind one address signs in several people a minute.
SIGN_IN_ADDRESS = (30, 60.0)
# Per account from one address, and per account from one known browser: ten tries in five
# minutes is plenty for a person and useless to a guesser.
SIGN_IN_ACCOUNT_ADDRESS = (10, 300.0)
SIGN_IN_DEVICE = (10, 300.0)
# Per account from everywhere: above what one address can send in an hour (120), so only
# guessing from many addresses reaches it, and a known browser still passes then.
SIGN_IN_ACCOUNT = (150, 3600.0)

LONGEST_WINDOW = 3600.0
PRUNE_EVERY = 1000
Clock = Callable[[], float]


def network(address: str | None) -> str:
    """The part of a client address a limit counts: an IPv6 client owns its whole /64."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


# Written out rather than built: SQLAlchemy's dialect inserts are compiled anew on every
# call (they are not cached), which costs more than the statement. The text is the same on
# SQLite and PostgreSQL. The gate is a row read in the same statement; b"" matches no row.
COUNT = text(
    """
    INSERT INTO rate_limit (key, window_start, count) VALUES (:key, :now, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit.window_start > :since THEN rate_limit.count + 1 ELSE 1 END,
      window_start = CASE WHEN rate_limit.window_start > :since
        THEN rate_limit.window_start ELSE :now END
    RETURNING count, window_start, (
      SELECT gate.count FROM rate_limit AS gate
      WHERE gate.key = :gate AND gate.window_start > :gate_since
    )
    """
)
NO_GATE = b""


@dataclass(slots=True)
class Store:
    """The counters table: one upsert per attempt, keys HMAC'd with the secret key."""

    engine: AsyncEngine
    secret: bytes
    clock: Clock = time.time
    _attempts: int = 0

    @classmethod
    def of(cls, engine: AsyncEngine, secret_key: str) -> Store:
        """The store of ``engine``, with a key of its own derived from the service's."""
        derived = hashlib.sha256(f"climate rate limits\0{secret_key}".encode()).digest()
        return cls(engine, derived)

    def digest(self, name: str, key: str) -> bytes:
        """The row key of ``key`` under limit ``name``."""
        message = f"{name}\0{key}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).digest()[:DIGEST_SIZE]

    async def count(
        self, digest: bytes, window: float, gate: tuple[bytes, float] = (NO_GATE, 0.0)
    ) -> tuple[int, float, int]:
        """Count one attempt: (attempts in the window, its start, the gate row's attempts)."""
        now = float(self.clock())
        values = {
            "key": digest,
            "now": now,
            "since": now - window,
            "gate": gate[0],
            "gate_since": now - gate[1],
        }
        async with self.engine.begin() as conn:
            row = (await conn.execute(COUNT, values)).one()
            self._attempts += 1
            if self._attempts % PRUNE_EVERY == 0:
                await _prune(conn, now)
        return int(row[0]), float(row[1]), int(row[2] or 0)

    async def prune(self) -> int:
        """Remove rows whose window ended more than the longest window ago."""
        async with self.engine.begin() as conn:
            return await _prune(conn, float(self.clock()))


async def _prune(conn: AsyncConnection, now: float) -> int:
    cutoff = now - LONGEST_WINDOW
    result = await conn.execute(delete(RateCount).where(RateCount.window_start < cutoff))
    return int(result.rowcount)


@dataclass(slots=True)
class RateLimiter:
    """A fixed-window counter per key: at most ``limit`` attempts per ``window`` seconds."""

    store: Store
    name: str
    limit: int
    window: float

    def __post_init__(self) -> None:
        if self.limit < 1 or not 0 < self.window <= LONGEST_WINDOW:
            raise ValueError(
                f"a rate limit needs limit >= 1 and a window of at most {LONGEST_WINDOW:.0f} s"
            )

    async def hit(self, key: str, *, gate: RateLimiter | None = None) -> None:
        """Count one attempt for ``key``; raise RateLimited once over the limit.

        With a ``gate``, the attempt is refused also while the gate has no attempts left
        for the same key (it is only read, not counted), in the same statement.
        """
        digest = self.store.digest(self.name, key)
        if gate is None:
            count, started, gated = await self.store.count(digest, self.window)
        else:
            checked = (gate.store.digest(gate.name, key), gate.window)
            count, started, gated = await self.store.count(digest, self.window, checked)
        if count > self.limit:
            raise RateLimited(retry_after=self._retry_after(started))
        if gate is not None and gated >= gate.limit:
            raise RateLimited(retry_after=math.ceil(gate.window))

    def _retry_after(self, started: float) -> int:
        return max(1, math.ceil(started + self.window - self.store.clock()))


def _limiters(store: Store, rules: dict[str, tuple[int, float]]) -> dict[str, RateLimiter]:
    # Each limiter is named after its field, and the name keeps its counters apart.
    return {name: RateLimiter(store, name, *rule) for name, rule in rules.items()}


@dataclass(slots=True)
class Limits:
    """The student routes' limits: look-ups and misses per address, submissions per code."""

    lookups: RateLimiter
    misses: RateLimiter
    submissions: RateLimiter

    @classmethod
    def of(cls, store: Store) -> Limits:
        """The shipped limits, counted in ``store``."""
        return cls(
            **_limiters(store, {"lookups": LOOKUPS, "misses": MISSES, "submissions": SUBMISSIONS})
        )

    async def lookup(self, address: str | None) -> None:
        """Count a look-up of a code; refused once the address has missed too often."""
        await self.lookups.hit(network(address), gate=self.misses)

    async def miss(self, address: str | None) -> None:
        """Count a look-up that opened nothing."""
        await self.misses.hit(network(address))


@dataclass(slots=True)
class SignInLimits:
    """Sign-in attempts per address and per account, and per account on a known browser.

    A browser that signed in to the account before is limited only by its own attempts, so
    a stranger who knows a staff email cannot keep its owner out: the stranger uses up the
    attempts of their own address (and, from many addresses, the account's), never the
    owner's browser's. Anyone passes again once the window has passed.
    """

    by_address: RateLimiter
    by_account_address: RateLimiter
    by_account: RateLimiter
    by_device: RateLimiter

    @classmethod
    def of(cls, store: Store) -> SignInLimits:
        """The shipped limits, counted in ``store``."""
        rules = {
            "by_address": SIGN_IN_ADDRESS,
            "by_account_address": SIGN_IN_ACCOUNT_ADDRESS,
            "by_account": SIGN_IN_ACCOUNT,
            "by_device": SIGN_IN_DEVICE,
        }
        return cls(**_limiters(store, rules))

    async def attempt(self, email: str, address: str | None, device: str | None) -> None:
        """Count one attempt to sign in to ``email``; ``device`` if the browser is known."""
        if device is not None:
            await self.by_device.hit(f"{email}\0{device}")
            return
        where = network(address)
        await self.by_address.hit(where)
        await self.by_account_address.hit(f"{email}\0{where}")
        await self.by_account.hit(email)
