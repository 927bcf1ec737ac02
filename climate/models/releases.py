"""The ledger of published releases, which is also the cache of protected releases.

Each row is one protected release of one instrument and year, taken in one state of its
administration (the fingerprint). It keeps the values the release published (the ledger
entries that audit every later release of that year), the internal audit report, the
published statistics, so that a page view reads them instead of protecting the year again,
and the internal cell data it was made from (never published), so that a later release of
the year, made after responses were added, is audited against what this one described.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from climate.models.base import Base


class PublishedRelease(Base):
    """One protected release: its ledger entries, audit report, published statistics and data."""

    __tablename__ = "published_release"
    __table_args__ = (Index(None, "instrument_id", "year"),)
    release_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(SmallInteger)
    fingerprint: Mapped[str] = mapped_column(String(64))
    policy_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ledger: Mapped[bytes] = mapped_column(LargeBinary)
    report: Mapped[bytes] = mapped_column(LargeBinary)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    # None for releases stored before the data were kept (revision 0005).
    cells: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
