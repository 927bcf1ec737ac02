"""Rate limits counted in the database: shared, atomic, keyed by digest, pruned."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import db
from climate.errors import RateLimited
from climate.models import RateCount
from climate.security.ratelimit import (
    CLASS_CODE_LOOKUPS,
    LONGEST_WINDOW,
    MISSES,
    TICKET_LOOKUPS,
    Limits,
    RateLimiter,
    SignInLimits,
    Store,
    network,
)
from climate.settings import Settings
from tests.climate.security.test_accounts import _run as run

SECRET = b"a secret key for the rate limit tests"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def passed(attempt: Callable[[], Awaitable[object]], tries: int) -> int:
    """How many of ``tries`` attempts were let through."""
    count = 0
    for _ in range(tries):
        try:
            await attempt()
        except RateLimited:
            continue
        count += 1
    return count


async def allowed(limiter: RateLimiter, key: str, tries: int) -> int:
    return await passed(partial(limiter.hit, key), tries)


def test_a_school_of_2000_sharing_one_class_code_gets_in_within_a_minute(
    settings: Settings,
) -> None:
    # Each student's code is looked up four times: entry, notice, survey page, submission.
    # Nothing a student does with a code that opens a survey is counted per address.
    entering = 2000 * 4

    async def work(engine: AsyncEngine) -> tuple[int, int]:
        limits = Limits.of(Store(engine, SECRET))

        async def look_up() -> None:
            limits.admit("203.0.113.7")
            await limits.opened("CLASSCODE1", ticket=False)

        school = await passed(look_up, entering)
        # A ticket is one student's: many reloads fit, a flood does not.
        ticket = await passed(partial(limits.opened, "TICKET0001", ticket=True), 1000)
        return school, ticket

    assert CLASS_CODE_LOOKUPS[0] >= entering
    assert run(settings, work) == (entering, TICKET_LOOKUPS[0])


def test_over_the_limit_is_refused_until_the_window_passes(settings: Settings) -> None:
    clock = Clock()

    async def work(engine: AsyncEngine) -> None:
        limiter = RateLimiter(Store(engine, SECRET, clock), "test", 3, 60.0)
        assert await allowed(limiter, "a", 3) == 3
        clock.now += 20
        with pytest.raises(RateLimited) as refused:
            await limiter.hit("a")
        assert refused.value.retry_after == 40
        assert await allowed(limiter, "b", 1) == 1  # other keys are counted apart
        clock.now += 40
        assert await allowed(limiter, "a", 4) == 3  # a fresh window

    run(settings, work)


def test_workers_share_one_count(settings: Settings) -> None:
    # Four engines stand for four workers or hosts, each firing at once.
    async def work(_engine: AsyncEngine) -> int:
        engines = [db.create_engine(settings.database_url) for _ in range(4)]
        try:
            limiters = [RateLimiter(Store(e, SECRET), "test", 30, 60.0) for e in engines]
            tries = [allowed(limiter, "203.0.113.7", 25) for limiter in limiters]
            return sum(await asyncio.gather(*tries))
        finally:
            for engine in engines:
                await engine.dispose()

    assert run(settings, work) == 30


def test_a_lease_is_one_statement_for_a_tenth_of_the_limit(settings: Settings) -> None:
    async def work(engine: AsyncEngine) -> tuple[list[str], list[str], list[str]]:
        limits = Limits.of(Store(engine, SECRET))
        await limits.miss("198.51.100.1")  # opens the pool's connection
        statements: list[str] = []

        def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", seen)
        for _ in range(CLASS_CODE_LOOKUPS[0] // 10):
            await limits.opened("CLASSCODE1", ticket=False)
        leased, statements[:] = list(statements), []
        await limits.miss("203.0.113.7")
        missed, statements[:] = list(statements), []
        # A ticket's look-ups are counted in the worker's memory: no statement at all.
        for _ in range(TICKET_LOOKUPS[0]):
            await limits.opened("TICKET0001", ticket=True)
        return leased, missed, statements

    leased, missed, ticket = run(settings, work)
    # A tenth of a class code's look-up limit costs one statement; each miss costs one.
    assert len(leased) == 1
    assert len(missed) == 1
    for statement in leased + missed:
        assert statement.lstrip().upper().startswith("INSERT INTO RATE_LIMIT")
    assert ticket == []


def test_leases_never_let_more_than_the_limit_through_across_workers(
    settings: Settings,
) -> None:
    # Four engines stand for four workers, each with leases of its own, all at once.
    async def work(_engine: AsyncEngine) -> int:
        engines = [db.create_engine(settings.database_url) for _ in range(4)]
        try:
            limiters = [
                RateLimiter(Store(e, SECRET), "test", 100, 60.0, leased=True) for e in engines
            ]
            tries = [allowed(limiter, "203.0.113.7", 40) for limiter in limiters]
            return sum(await asyncio.gather(*tries))
        finally:
            for engine in engines:
                await engine.dispose()

    passed_in_total = run(settings, work)
    # Never more than the limit; at most one lease (a tenth) per worker left unspent.
    assert 100 - 4 * 10 <= passed_in_total <= 100


def test_keys_are_not_kept_in_the_clear(settings: Settings) -> None:
    async def work(engine: AsyncEngine) -> list[bytes]:
        await RateLimiter(Store(engine, SECRET), "test", 5, 60.0).hit("198.51.100.23")
        await RateLimiter(Store(engine, b"another key"), "test", 5, 60.0).hit("198.51.100.23")
        async with engine.connect() as conn:
            return list(await conn.scalars(select(RateCount.key)))

    keys = run(settings, work)
    assert len(keys) == 2  # the same address under another secret is another row
    assert all(b"198.51.100.23" not in key and len(key) == 16 for key in keys)


def test_misses_close_every_look_up_from_the_address(settings: Settings) -> None:
    clock = Clock()

    async def work(engine: AsyncEngine) -> None:
        limits = Limits.of(Store(engine, SECRET, clock))
        limits.misses.limit = 5
        for _ in range(5):
            limits.admit("192.0.2.1")
            await limits.miss("192.0.2.1")
        # A guesser who used up the misses cannot look up a real code either ...
        with pytest.raises(RateLimited):
            limits.admit("192.0.2.1")
        with pytest.raises(RateLimited):
            await limits.miss("192.0.2.1")
        limits.admit("192.0.2.2")  # ... while other addresses go on,
        clock.now += 61
        limits.admit("192.0.2.1")  # and so does the guesser's, a minute later.

    run(settings, work)


def test_another_worker_closes_the_address_at_its_first_miss(settings: Settings) -> None:
    # Two Limits on one store stand for two workers: the second never saw the misses.
    async def work(engine: AsyncEngine) -> None:
        first, second = Limits.of(Store(engine, SECRET)), Limits.of(Store(engine, SECRET))
        for _ in range(MISSES[0]):
            await first.miss("192.0.2.9")
        second.admit("192.0.2.9")  # it has not seen the address miss yet ...
        with pytest.raises(RateLimited):
            await second.miss("192.0.2.9")
        # ... and from its first miss on it refuses every look-up, a real code's too.
        with pytest.raises(RateLimited):
            second.admit("192.0.2.9")

    run(settings, work)


def test_a_known_browser_is_limited_only_by_its_own_attempts(settings: Settings) -> None:
    async def work(engine: AsyncEngine) -> tuple[int, int, int]:
        limits = SignInLimits.of(Store(engine, SECRET))
        email = "counselor@district.example"
        stranger = await passed(partial(limits.attempt, email, "198.51.100.66", None), 40)
        owner = await passed(partial(limits.attempt, email, "198.51.100.66", "device-1"), 12)
        elsewhere = await passed(partial(limits.attempt, email, "203.0.113.9", None), 3)
        return stranger, owner, elsewhere

    # Same address as the stranger, even: the owner's known browser has its own ten.
    assert run(settings, work) == (10, 10, 3)


def test_an_account_is_capped_across_addresses(settings: Settings) -> None:
    async def work(engine: AsyncEngine) -> tuple[int, int]:
        limits = SignInLimits.of(Store(engine, SECRET))
        limits.by_account.limit = 25
        email = "viewer@district.example"
        strangers = 0
        for host in range(10):
            strangers += await passed(
                partial(limits.attempt, email, f"198.51.100.{host}", None), 10
            )
        known = await passed(partial(limits.attempt, email, "198.51.100.200", "device-2"), 1)
        return strangers, known

    assert run(settings, work) == (25, 1)


def test_old_windows_are_pruned(settings: Settings) -> None:
    clock = Clock()

    async def work(engine: AsyncEngine) -> tuple[int, int]:
        store = Store(engine, SECRET, clock)
        limiter = RateLimiter(store, "test", 5, 60.0)
        await limiter.hit("old")
        clock.now += LONGEST_WINDOW + 1
        await limiter.hit("new")
        removed = await store.prune()
        async with engine.connect() as conn:
            left = await conn.scalar(select(func.count()).select_from(RateCount))
        return removed, int(left or 0)

    assert run(settings, work) == (1, 1)


def test_an_ipv6_client_is_counted_by_its_64() -> None:
    assert network("2001:db8:1:2:aaaa::1") == network("2001:db8:1:2:bbbb::7")
    assert network("2001:db8:1:2:aaaa::1") != network("2001:db8:1:3::1")
    assert network("203.0.113.7") == "203.0.113.7"
    assert network(None) == "unknown"


def test_bad_limits_are_refused(settings: Settings) -> None:
    async def work(engine: AsyncEngine) -> None:
        store = Store(engine, SECRET)
        with pytest.raises(ValueError, match="limit"):
            RateLimiter(store, "test", 0, 60.0)
        with pytest.raises(ValueError, match="window"):
            RateLimiter(store, "test", 5, LONGEST_WINDOW * 2)

    run(settings, work)
