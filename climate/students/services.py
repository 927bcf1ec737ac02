"""What the student routes share within one process: open a code, show its survey, store answers.

One ``Services`` is made per app and handed to the student pages and the student API alike, so
a survey is localized once per version and language, and every submission goes through the
same writer and the same rate limits whether it came from a script or a plain form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec

from climate.errors import AccessError
from climate.i18n import Catalogs, language_name
from climate.security.ratelimit import Limits
from climate.settings import Settings
from climate.students.access import Access, Directory
from climate.students.submissions import (
    Submission,
    Writer,
    find_receipt,
    key_hash,
    shown_items,
    validate,
)
from climate.students.views import Language, SurveyView, localize


@dataclass(frozen=True, slots=True)
class Outcome:
    """A stored (or replayed) submission."""

    receipt: str
    created: bool


@dataclass(slots=True)
class Services:
    """The student routes' per-process parts: catalogs, code look-ups, the writer, limits."""

    settings: Settings
    catalogs: Catalogs
    directory: Directory
    writer: Writer
    limits: Limits = field(default_factory=Limits)
    _views: dict[tuple[int, str, bool], SurveyView] = field(default_factory=dict)

    async def open(self, code: str, address: str | None) -> Access:
        """Look up a code for a student, counting the attempt against the address's limit."""
        self.limits.code_entry.hit(address or "unknown")
        access = await self.directory.lookup(code)
        access.check(dt.date.today())
        return access

    def locales(self, access: Access) -> tuple[str, ...]:
        """Locales a code's survey can be taken in."""
        return access.enabled_locales(self.settings.accepted_locales)

    def view(self, access: Access, locale: str) -> SurveyView:
        """The survey as a student sees it in ``locale`` (built once per version and language)."""
        key = (access.form.version_id, locale, access.sensitive_module)
        found = self._views.get(key)
        if found is None:
            found = localize(access.form, self.catalogs, locale, access.sensitive_module)
            self._views[key] = found
        return found

    def survey(self, access: Access, locale: str) -> SurveyView:
        """The survey in ``locale`` with the languages this code offers, each named in itself."""
        languages = [Language(code, language_name(code)) for code in self.locales(access)]
        return msgspec.structs.replace(self.view(access, locale), languages=languages)

    async def store(self, data: Submission, *, prune: bool = False) -> Outcome:
        """Check and store one submission; a replayed key returns its first receipt."""
        try:
            access = await self.directory.lookup(data.code)
            self.limits.submissions.hit(access.code)
            access.check(dt.date.today())
        except AccessError:
            # A retry after the ticket was used or the window closed still gets its receipt.
            async with self.directory.engine.connect() as conn:
                earlier = await find_receipt(conn, key_hash(data.idempotency_key))
            if earlier is not None:
                return Outcome(earlier, created=False)
            raise
        if prune:
            data = pruned(access, data)
        clean = validate(access, data, self.locales(access))
        stored = await self.writer.submit(access, clean, data.idempotency_key)
        for ticket in self.writer.used_tickets():
            self.directory.forget(ticket)
        return Outcome(stored.receipt, stored.created)

    async def decline(self, access: Access) -> None:
        """Count one decline for the code's administration; nothing else is stored."""
        await self.writer.decline(access.administration_id)


def pruned(access: Access, data: Submission) -> Submission:
    """Drop answers to questions a page without script could not hide (skip rules)."""
    shown = shown_items(access.form, data.answers, access.sensitive_module)
    answers = {k: v for k, v in data.answers.items() if k in shown or k not in access.form.options}
    return msgspec.structs.replace(data, answers=answers)
