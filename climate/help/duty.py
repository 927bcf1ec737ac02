"""The help desk of one running service: its file, key and mail, and the rounds it makes.

Every few minutes each worker escalates the requests past their reading time and purges the
closed ones past retention. Both claim their rows in the database, so any number of workers
may run the rounds at once and each person is told once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from climate.help import config as help_config
from climate.help.mail import Mailer, escalate
from climate.help.requests import Desk, Sent
from climate.help.rounds import purge
from climate.settings import Settings

log = logging.getLogger(__name__)
ROUND_SECONDS = 300.0


def now_utc() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass
class Duty:
    """The desk, the mailer, and the rounds task of one process."""

    engine: AsyncEngine
    desk: Desk
    mailer: Mailer
    every: float = ROUND_SECONDS
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    _notices: set[asyncio.Task[bool]] = field(default_factory=set, init=False)

    @classmethod
    def of(cls, engine: AsyncEngine, settings: Settings) -> Duty:
        """The duty of a service; a help file that cannot be used raises HelpConfigError."""
        found = None
        if settings.help_requests is not None:
            found = help_config.load(settings.help_requests)
        return cls(engine, Desk.of(found, settings.effective_secret), Mailer.of(settings))

    async def round(self, now: dt.datetime | None = None) -> tuple[int, int]:
        """Escalate and purge once: (escalation e-mails sent, requests purged)."""
        moment = now or now_utc()
        return (
            await escalate(self.engine, self.desk, self.mailer, moment),
            await purge(self.engine, self.desk, moment),
        )

    def notify(self, school_id: str, sent: Sent) -> None:
        """Tell the people on duty, after the student has their answer (never blocks it)."""
        config = self.desk.config
        if config is None or sent.code is None or not self.mailer.configured:
            return
        task = asyncio.get_running_loop().create_task(
            self.mailer.notice(config.notify(school_id), sent.school_name, config.staff_url)
        )
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def start(self) -> None:
        """Begin the rounds (only when help requests are on)."""
        if self.desk.enabled and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._rounds())

    async def stop(self) -> None:
        """End the rounds and let the notices being sent finish."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._notices:
            await asyncio.wait(list(self._notices), timeout=10)

    async def _rounds(self) -> None:
        while True:
            try:
                await self.round()
            except Exception as error:
                log.warning("Help-request round failed (%s)", type(error).__name__)
            await asyncio.sleep(self.every)
