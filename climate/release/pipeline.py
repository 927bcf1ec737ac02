"""A year's releases: cells from SQL, protection with the ledger, statistics, cached.

One release per instrument and school year (its closed administration). A release is
keyed by the administration's state (a fingerprint of responses, schools and names) and
the disclosure policy; the same state is read back from the ledger table instead of being
protected again. A changed state is a new release, audited together with every earlier
release of the same instrument and year, so subtracting one from the other reveals nothing
the audit has not allowed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import zlib
from dataclasses import replace

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from analysis.disclosure import CellKey, Ledger, LedgerEntry, Policy, Protected, protect
from climate.instruments import Instrument
from climate.models.releases import PublishedRelease
from climate.release.catalogue import CellData, answered_only, build_release, cell_data
from climate.release.gather import Gathered, Source, fingerprint, gather, sources
from climate.release.reliability import alpha_rows
from climate.release.result import Statistic, YearRelease
from climate.release.rows import published_rows, scale_totals


class ReleaseError(ValueError):
    """A release cannot be published: the audit failed or contradicts the ledger."""


def _pack(data: bytes) -> bytes:
    return zlib.compress(data, 1)


def _unpack(data: bytes) -> bytes:
    return zlib.decompress(data)


def release_id_for(source: Source, fingerprint: str, policy: Policy) -> str:
    """The id of a release: instrument, year and a digest of its state and policy."""
    digest = hashlib.sha256(f"{fingerprint}|{policy.digest()}".encode()).hexdigest()[:12]
    return f"{source.instrument.id}-{source.year}-{digest}"


async def _cached(conn: AsyncConnection, release_id: str) -> YearRelease | None:
    payload = await conn.scalar(
        select(PublishedRelease.payload).where(PublishedRelease.release_id == release_id)
    )
    return None if payload is None else msgspec.json.decode(_unpack(payload), type=YearRelease)


async def earlier_ledger(conn: AsyncConnection, instrument_id: str, year: int) -> Ledger:
    """Every value published before for one instrument and year, oldest release first."""
    blobs = (
        await conn.scalars(
            select(PublishedRelease.ledger)
            .where(PublishedRelease.instrument_id == instrument_id, PublishedRelease.year == year)
            .order_by(PublishedRelease.created_at, PublishedRelease.release_id)
        )
    ).all()
    entries: list[LedgerEntry] = []
    for blob in blobs:
        entries.extend(Ledger.from_json(_unpack(blob)).entries)
    return Ledger(tuple(entries))


def _made(
    source: Source,
    gathered: Gathered,
    ledger: Ledger,
    policy: Policy,
    release_id: str,
    district_name: str,
    sensitive: bool,
) -> tuple[Instrument, dict[CellKey, CellData], Protected, tuple[Statistic, ...]]:
    """Protect one administration's cells and cut its published statistics."""
    data = cell_data(source.instrument, gathered.schools, gathered.cells)
    instrument = answered_only(source.instrument, data)
    release = build_release(instrument, gathered.schools, data, sensitive=sensitive)
    try:
        protected = protect(
            release, policy, release_id=release_id, ledger=ledger if ledger.entries else None
        )
    except ValueError as error:
        raise ReleaseError(
            f"{instrument.id} {source.year}: the release cannot be protected ({error}); "
            "if the data changed since an earlier release of this year, the ledger cannot "
            "reconcile them; nothing was published"
        ) from error
    if not protected.report.ok:
        raise ReleaseError(
            f"{instrument.id} {source.year}: the disclosure audit did not pass; nothing published"
        )
    rows = published_rows(
        instrument,
        protected,
        data,
        policy=policy,
        release_id=release_id,
        year=source.year,
        names=gathered.names,
        district_name=district_name,
    )
    rows += alpha_rows(instrument, gathered.moments, rows, policy=policy)
    return instrument, data, protected, rows


def release_policy(policy: Policy | None = None) -> Policy:
    """The policy a year's release is protected under, from the district's settings."""
    # The intervals are computed from the number of those who answered, so it is published
    # and audited; whole schools, district groups and the district publish every n exactly.
    return replace(policy or Policy(), answered_bands=True, exact_n_depth=1)


async def release_for(
    engine: AsyncEngine,
    source: Source,
    *,
    district_name: str,
    policy: Policy | None = None,
    now: dt.datetime | None = None,
    sensitive: bool = True,
) -> YearRelease:
    """The protected release of one administration, from the cache or made and stored."""
    policy = release_policy(policy)
    extra = f"{district_name}|sensitive={sensitive}"
    async with engine.connect() as conn:
        # The fingerprint is two cheap queries; a cached release needs no aggregation at all.
        release_id = release_id_for(source, await fingerprint(conn, source, extra), policy)
        found = await _cached(conn, release_id)
        if found is not None:
            return found
        gathered = await gather(conn, source, extra=extra)
        release_id = release_id_for(source, gathered.fingerprint, policy)
        ledger = await earlier_ledger(conn, source.instrument.id, source.year)
    # Protection is seconds to a minute of CPU work: off the event loop, so that the
    # survey and every other page stay answered while a release is made.
    instrument, data, protected, rows = await asyncio.to_thread(
        _made, source, gathered, ledger, policy, release_id, district_name, sensitive
    )
    now = now or dt.datetime.now(dt.UTC)
    result = YearRelease(
        release_id=release_id,
        instrument_id=instrument.id,
        instrument_version=source.version,
        year=source.year,
        fingerprint=gathered.fingerprint,
        policy=protected.report.policy,
        policy_hash=protected.report.policy_hash,
        protected_at=now.isoformat(timespec="seconds"),
        audit_ok=protected.report.ok,
        declines=source.declines,
        schools=dict(gathered.names),
        scales={
            s.id: ("favorable" if s.favorable_at is not None else "elevated")
            for s in instrument.scales
        },
        rows=rows,
        totals=scale_totals(instrument, data),
    )
    own = Ledger(tuple(e for e in protected.ledger.entries if e.release == release_id))
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(PublishedRelease).values(
                    release_id=release_id,
                    instrument_id=instrument.id,
                    instrument_version=source.version,
                    year=source.year,
                    fingerprint=gathered.fingerprint,
                    policy_hash=protected.report.policy_hash,
                    created_at=now,
                    ledger=_pack(own.to_json()),
                    report=_pack(protected.report.to_json()),
                    payload=_pack(msgspec.json.encode(result)),
                )
            )
    except IntegrityError:
        # Another worker stored the same state first; its release is the published one.
        async with engine.connect() as conn:
            stored = await _cached(conn, release_id)
        if stored is not None:
            return stored
        raise
    return result


async def year_releases(
    engine: AsyncEngine,
    year: int,
    *,
    district_name: str,
    policy: Policy | None = None,
    now: dt.datetime | None = None,
    sensitive: bool = True,
) -> tuple[YearRelease, ...]:
    """Every instrument's protected release for ``year`` (closed administrations only)."""
    async with engine.connect() as conn:
        found = await sources(conn, year)
    return tuple(
        [
            await release_for(
                engine, s, district_name=district_name, policy=policy, now=now, sensitive=sensitive
            )
            for s in found
        ]
    )
