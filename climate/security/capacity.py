"""Admission by the service's capacity: a worker sheds load it cannot serve soon.

Limits keyed to a code or an address cannot tell a school at the bell from a flood, and
must not: two thousand students behind one address are legitimate. What protects the
service then is its capacity. Each worker lets ``running`` student requests reach the
database at once (about its connection pool) and queues at most ``waiting`` more; past that
it answers ``Busy`` (503 with Retry-After) at once instead of letting every student wait
behind the queue. The survey page resends a refused submission by itself, with the same
key, so shedding loses nothing and stores nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from climate.errors import Busy

# About one engine's pool (5 connections and 10 overflow) plus one.
RUNNING = 16
# A few seconds of work at the rates bench/bench_bell.py measures.
WAITING = 512


@dataclass(slots=True)
class Capacity:
    """At most ``running`` requests at once in this worker, ``waiting`` more in line."""

    running: int = RUNNING
    waiting: int = WAITING
    _slots: asyncio.Semaphore = field(init=False)
    _queued: int = 0

    def __post_init__(self) -> None:
        if self.running < 1 or self.waiting < 0:
            raise ValueError("capacity needs running >= 1 and waiting >= 0")
        self._slots = asyncio.Semaphore(self.running)

    @property
    def queued(self) -> int:
        """Requests waiting for a slot now."""
        return self._queued

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Hold a slot for the body of the block; raise Busy when the line is full."""
        if self._slots.locked() and self._queued >= self.waiting:
            raise Busy()
        self._queued += 1
        try:
            await self._slots.acquire()
        finally:
            self._queued -= 1
        try:
            yield
        finally:
            self._slots.release()
