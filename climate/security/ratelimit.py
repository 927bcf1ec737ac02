"""Rate limits shared by every worker and host: counters kept in the database.

Limits kept in process memory multiply with workers (two workers let 240 code guesses a
minute through a limit of 120), so the counters live in the one store that every worker and
host already reaches: the service's own database. That needs no second service for a
district to install and secure, survives restarts of a worker, and costs one statement per
attempt: ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING count``, atomic on SQLite and
PostgreSQL alike, so two workers can never both take the last attempt of a window. On
PostgreSQL the table is unlogged: a crash only empties it.

Frequent attempts (every look-up of a code, every submission) would make that statement a
write per page view, which costs a busy school more than the limit protects. Those limits
take a **lease**: one statement reserves a tenth of the limit for this worker, which then
spends it without asking again. Reserved attempts count as used, so the total across
workers never passes the limit; a worker may end a window with some of its lease unspent,
so a little less than the limit can pass, never more. Rare attempts (misses, sign-ins) take
one attempt at a time and stay exact.

A window is fixed and starts at a key's first attempt after the last window ended. Keys
are HMAC'd with the service's secret key together with the limit's name, so the table holds
no address, code or email, and a reader of it cannot test a guess without the key. Rows
whose window ended long ago are pruned by one attempt in ``PRUNE_EVERY``. Nothing here is
ever logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateIndex, CreateTable, ExecutableDDLElement

from climate.errors import Outage, RateLimited
from climate.models.limits import DIGEST_SIZE, RateCount

# Per address, look-ups that opened nothing: a well-formed code that no survey has, or a used
# ticket (which answers as one). A guesser gets 100 a minute at 10 characters of 23 symbols;
# a school of 2,000 behind one address, a few of whom swap two characters, stays far below.
# Text that cannot be a code is not a guess (no code could match it) and is not counted.
MISSES = (100, 60.0)
# Per code held, every look-up of it (entry, notice, survey page, submission): a whole school
# may share one class code, and each student opens it three or four times at the bell.
CLASS_CODE_LOOKUPS = (12_000, 60.0)
# A ticket is one student's: reloads and language changes fit many times over. Counted in
# each worker's memory, never in the database: a counter row written as a ticket is used
# would sit beside the used ticket in the database's own write order, with its window's start
# (a time of day). A ticket cannot be guessed through this limit (misses are), so a worker
# that lets a looping ticket through its own share costs only capacity, which has its limit.
TICKET_LOOKUPS = (120, 60.0)
# Per code: a whole school may share one class code, so a few hundred a minute is normal.
SUBMISSIONS = (600, 60.0)
# Per address, help requests sent: a school sends a few a day (a class shown the form may
# send a few dozen at once); a page that posts the form in a loop is stopped. Counted in each
# worker's memory for the reason tickets are: a counter row written just before a request
# would give the request's time of day to a database reader.
HELP_SENDS = (60, 600.0)
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
MAX_LEASES = 100_000
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
# SQLite and PostgreSQL.
COUNT = text(
    """
    INSERT INTO rate_limit (key, window_start, count) VALUES (:key, :now, :take)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit.window_start > :since
        THEN rate_limit.count + :take ELSE :take END,
      window_start = CASE WHEN rate_limit.window_start > :since
        THEN rate_limit.window_start ELSE :now END
    RETURNING count, window_start
    """
)
PRUNE = "DELETE FROM rate_limit WHERE window_start < :cutoff"
# A worker waits this long for another worker's write to the counters file (microseconds long).
BUSY_MS = 200


@dataclass(slots=True)
class Store:
    """The counters table: one upsert per attempt, keys HMAC'd with the secret key.

    On PostgreSQL the table is in the service's database, reached through its engine. On
    SQLite it is in a file of its own beside the database (``Store.beside``), written with
    the standard library's driver on the event loop itself: a write to that small file
    without waiting for the disk takes a fraction of a millisecond, less than handing it
    to a driver thread and back, which under load took a second.
    """

    engine: AsyncEngine | None
    secret: bytes
    clock: Clock = time.time
    file: sqlite3.Connection | None = None
    _attempts: int = 0

    @classmethod
    def of(cls, engine: AsyncEngine, secret_key: str) -> Store:
        """The store of ``engine``, with a key of its own derived from the service's."""
        return cls(engine, _derived(secret_key))

    @classmethod
    def in_memory(cls, secret: bytes, clock: Clock) -> Store:
        """Counters of this worker alone, kept in its memory and gone when it stops."""
        store = cls(
            None,
            secret,
            clock,
            file=sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False),
        )
        store.make_table()
        return store

    @classmethod
    def beside(cls, path: str, secret_key: str) -> Store:
        """A store in the SQLite file at ``path``, shared by every worker on this host."""
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        # Counters lost at a power cut only restart their windows.
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        return cls(None, _derived(secret_key), file=connection)

    def digest(self, name: str, key: str) -> bytes:
        """The row key of ``key`` under limit ``name``."""
        message = f"{name}\0{key}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).digest()[:DIGEST_SIZE]

    async def count(
        self,
        digest: bytes,
        window: float,
        take: int = 1,
    ) -> tuple[int, float]:
        """Count ``take`` attempts: (attempts in the window, its start)."""
        now = float(self.clock())
        values = {
            "take": take,
            "key": digest,
            "now": now,
            "since": now - window,
        }
        self._attempts += 1
        prune = self._attempts % PRUNE_EVERY == 0
        if self.file is not None:
            try:
                row = self.file.execute(COUNT.text, values).fetchone()
                if prune:
                    self.file.execute(PRUNE, {"cutoff": now - LONGEST_WINDOW})
            except sqlite3.OperationalError as error:  # locked for longer than BUSY_MS
                raise Outage() from error
            return int(row[0]), float(row[1])
        assert self.engine is not None
        async with self.engine.begin() as conn:
            found = (await conn.execute(COUNT, values)).one()
            if prune:
                await _prune(conn, now)
        return int(found[0]), float(found[1])

    async def prepare(self) -> None:
        """Make the table in a counters file of its own; in a database, migrations make it."""
        if self.file is not None:
            self.make_table()

    def make_table(self) -> None:
        """Make the table in the counters file if it is not there yet."""
        assert self.file is not None
        table = RateCount.metadata.tables[RateCount.__tablename__]
        made: list[ExecutableDDLElement] = [CreateTable(table, if_not_exists=True)]
        made += [CreateIndex(index, if_not_exists=True) for index in table.indexes]
        for statement in made:
            self.file.execute(str(statement.compile(dialect=sqlite.dialect())))

    async def prune(self) -> int:
        """Remove rows whose window ended more than the longest window ago."""
        if self.file is not None:
            cutoff = float(self.clock()) - LONGEST_WINDOW
            return int(self.file.execute(PRUNE, {"cutoff": cutoff}).rowcount)
        assert self.engine is not None
        async with self.engine.begin() as conn:
            return await _prune(conn, float(self.clock()))

    async def close(self) -> None:
        """Close the counters file (an engine is disposed by its owner)."""
        if self.file is not None:
            self.file.close()


def _derived(secret_key: str) -> bytes:
    return hashlib.sha256(f"climate rate limits\0{secret_key}".encode()).digest()


async def _prune(conn: AsyncConnection, now: float) -> int:
    cutoff = now - LONGEST_WINDOW
    result = await conn.execute(delete(RateCount).where(RateCount.window_start < cutoff))
    return int(result.rowcount)


@dataclass(slots=True)
class RateLimiter:
    """A fixed-window counter per key: at most ``limit`` attempts per ``window`` seconds.

    A ``leased`` limiter reserves a tenth of the limit at a time for this worker (see the
    module's notes); otherwise each attempt is one statement.
    """

    store: Store
    name: str
    limit: int
    window: float
    leased: bool = False
    # Per key: attempts this worker reserved and has not spent, and when the window ends.
    _leases: dict[str, tuple[int, float]] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.limit < 1 or not 0 < self.window <= LONGEST_WINDOW:
            raise ValueError(
                f"a rate limit needs limit >= 1 and a window of at most {LONGEST_WINDOW:.0f} s"
            )

    async def hit(self, key: str) -> int:
        """Count one attempt for ``key``; raise RateLimited once over the limit.

        Returns how many attempts are left in the window as this worker knows it.
        """
        if not self.leased:
            return await self._count(key, 1)
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) >= MAX_LEASES:
                self._prune()
            lock = self._locks[key] = asyncio.Lock()
        # One lease at a time per key: requests arriving together share it.
        async with lock:
            lease = self._leases.get(key)
            if lease is not None and lease[0] > 0 and self.store.clock() < lease[1]:
                self._leases[key] = (lease[0] - 1, lease[1])
                return lease[0] - 1
            return await self._count(key, max(1, self.limit // 10))

    async def _count(self, key: str, take: int) -> int:
        digest = self.store.digest(self.name, key)
        count, started = await self.store.count(digest, self.window, take)
        granted = take - max(0, count - self.limit)
        if granted <= 0:
            self._leases.pop(key, None)
            raise RateLimited(retry_after=self._retry_after(started))
        if not self.leased:
            return self.limit - count
        self._leases[key] = (granted - 1, started + self.window)
        return granted - 1

    def _prune(self) -> None:
        now = self.store.clock()
        self._leases = {k: v for k, v in self._leases.items() if now < v[1]}
        self._locks = {k: v for k, v in self._locks.items() if v.locked() or k in self._leases}
        if len(self._locks) >= MAX_LEASES:
            # Under a flood of distinct keys, dropping leases only makes this worker ask again.
            self._leases.clear()
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}

    def _retry_after(self, started: float) -> int:
        return max(1, math.ceil(started + self.window - self.store.clock()))


def _limiters(
    store: Store, rules: dict[str, tuple[int, float]], leased: frozenset[str] = frozenset()
) -> dict[str, RateLimiter]:
    # Each limiter is named after its field, and the name keeps its counters apart.
    return {
        name: RateLimiter(store, name, *rule, leased=name in leased) for name, rule in rules.items()
    }


@dataclass(slots=True)
class Limits:
    """The student routes' limits: misses per address; look-ups and submissions per code.

    A school reaches the service from one address, so nothing a legitimate student does is
    counted against the address: look-ups are counted against the code the student holds
    (a class code is shared by a school, a ticket by nobody). Only guessing is counted per
    address. A guesser who used up the misses is then refused every look-up, a real code's
    too, so a guess that finds a code cannot be told from one that does not: in the worker
    that saw the last miss at once, and in any other worker from its first miss after that
    (every guess is almost surely a miss), so at most one look-up per worker slips past.
    """

    class_codes: RateLimiter
    tickets: RateLimiter
    misses: RateLimiter
    submissions: RateLimiter
    help_sends: RateLimiter
    # Addresses this worker saw miss too often, and until when they are refused.
    _closed: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, store: Store) -> Limits:
        """The shipped limits, counted in ``store`` (tickets in this worker's memory).

        The class codes and submissions are leased; the misses are exact.
        """
        rules = {"class_codes": CLASS_CODE_LOOKUPS, "misses": MISSES, "submissions": SUBMISSIONS}
        made = _limiters(store, rules, frozenset({"class_codes", "submissions"}))
        memory = Store.in_memory(store.secret, store.clock)
        tickets = RateLimiter(memory, "tickets", *TICKET_LOOKUPS)
        help_sends = RateLimiter(memory, "help_sends", *HELP_SENDS)
        return cls(made["class_codes"], tickets, made["misses"], made["submissions"], help_sends)

    async def help_sent(self, address: str | None) -> None:
        """Count one help request sent from ``address`` (RateLimited past the limit)."""
        self.admit(address)
        await self.help_sends.hit(network(address))

    def admit(self, address: str | None) -> None:
        """Refuse at once an address this worker saw miss too often (no statement)."""
        where = network(address)
        closed = self._closed.get(where)
        if closed is None:
            return
        now = self.misses.store.clock()
        if now < closed:
            raise RateLimited(retry_after=math.ceil(closed - now))
        del self._closed[where]

    async def opened(self, code: str, *, ticket: bool) -> None:
        """Count one look-up of a code that opened something, against the code."""
        await (self.tickets if ticket else self.class_codes).hit(code)

    async def miss(self, address: str | None) -> None:
        """Count a guess that opened nothing; the last miss allowed closes the address."""
        where = network(address)
        try:
            left = await self.misses.hit(where)
        except RateLimited as refused:
            self._close(where, refused.retry_after)
            raise
        if left <= 0:
            self._close(where, self.misses.window)

    def _close(self, where: str, seconds: float) -> None:
        if len(self._closed) >= MAX_LEASES:
            self._closed.clear()
        self._closed[where] = self.misses.store.clock() + seconds


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
