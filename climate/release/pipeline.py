"""A year's releases: cells from SQL, protection with the ledger, statistics, cached.

One release per instrument and school year (its closed administration). A release is
keyed by the administration's state (a fingerprint of responses, schools and names) and
the disclosure policy; the same state is read back from the ledger table instead of being
protected again. A changed state (responses imported or taken after the year was
published) is a new release, audited together with every earlier release of the same
instrument and year as editions of its data (``climate.release.editions``): each earlier
release's values constrain the data it was made from, so subtracting one release from
another reveals nothing the audit has not allowed. Responses can only be added to a
published year; a state that lost some is refused (``ReleaseError``, reason ``REMOVED``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import replace

import msgspec
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from analysis.disclosure import CellKey, Ledger, Policy, Protected, protect
from analysis.disclosure.editions import Edition, NestingError, protect_edition
from climate import db
from climate.errors import REMOVED, SETUP, UNKEPT, ReleaseError
from climate.instruments import Instrument
from climate.models.releases import PublishedRelease
from climate.release.catalogue import CellData, answered_only, build_release, cell_data
from climate.release.editions import Unkept, earlier_editions, pack, pack_cells, unpack
from climate.release.gather import Gathered, Source, fingerprint, gather, sources
from climate.release.reliability import alpha_rows
from climate.release.result import Statistic, YearRelease
from climate.release.rows import published_rows, scale_totals


def release_id_for(source: Source, fingerprint: str, policy: Policy) -> str:
    """The id of a release: instrument, year and a digest of its state and policy."""
    digest = hashlib.sha256(f"{fingerprint}|{policy.digest()}".encode()).hexdigest()[:12]
    return f"{source.instrument.id}-{source.year}-{digest}"


async def _cached(conn: AsyncConnection, release_id: str) -> tuple[YearRelease, bool] | None:
    """The stored release of this id, and whether its data are stored with it."""
    found = (
        await conn.execute(
            select(PublishedRelease.payload, PublishedRelease.cells.is_not(None)).where(
                PublishedRelease.release_id == release_id
            )
        )
    ).first()
    if found is None:
        return None
    return msgspec.json.decode(unpack(found[0]), type=YearRelease), bool(found[1])


async def _editions(conn: AsyncConnection, source: Source) -> list[Edition]:
    try:
        return await earlier_editions(conn, source.instrument, source.year)
    except Unkept as error:
        raise ReleaseError(
            f"{source.instrument.id} {source.year}: nothing was published: release "
            f"{error.release_id} of this year was stored by a version of climate that did not "
            "keep the data a release is made from, and responses changed since, so a new "
            "release cannot be checked against it. To publish the year again, restore its "
            "responses as they were when it was published (from a backup), open one of its "
            "reports or export it once (its data are then kept), and import the new "
            "responses again",
            UNKEPT,
        ) from error


def _made(
    source: Source,
    gathered: Gathered,
    earlier: list[Edition],
    policy: Policy,
    release_id: str,
    district_name: str,
    sensitive: bool,
) -> tuple[Instrument, dict[CellKey, CellData], Protected, tuple[Statistic, ...]]:
    """Protect one administration's cells against its earlier releases and cut its
    published statistics."""
    data = cell_data(source.instrument, gathered.schools, gathered.cells)
    instrument = answered_only(source.instrument, data)
    release = build_release(instrument, gathered.schools, data, sensitive=sensitive)
    where = f"{instrument.id} {source.year}"
    try:
        if earlier:
            protected = protect_edition(release, earlier, policy, release_id=release_id)
        else:
            protected = protect(release, policy, release_id=release_id)
    except NestingError as error:
        raise ReleaseError(
            f"{where}: nothing was published: {error}. Values once published cannot be taken "
            "back, and a release without those responses could reveal them. To publish the "
            "year again, restore the removed responses (from a backup): responses can be "
            "added to a published year, never removed or changed",
            REMOVED,
        ) from error
    except ValueError as error:
        raise ReleaseError(_audit_failed(where, str(error))) from error
    if not protected.report.ok:
        raise ReleaseError(_audit_failed(where, "some hidden values stay exposed"))
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


def _audit_failed(where: str, detail: str) -> str:
    return (
        f"{where}: nothing was published: the disclosure audit did not pass ({detail}). If the "
        "minimum group size (CLIMATE_SUPPRESSION_K) was raised after the year was first "
        "published, set it back; otherwise report this message to the maintainers"
    )


async def _keep(engine: AsyncEngine, release_id: str, gathered: Gathered) -> None:
    """Store the data of a release stored without them."""
    data = cell_data(gathered.source.instrument, gathered.schools, gathered.cells)
    async with engine.begin() as conn:
        await conn.execute(
            update(PublishedRelease)
            .where(PublishedRelease.release_id == release_id, PublishedRelease.cells.is_(None))
            .values(cells=pack_cells(gathered.schools, data))
        )


def release_policy(policy: Policy | None = None) -> Policy:
    """The policy a year's release is protected under, from the district's settings."""
    # The intervals are computed from the number of those who answered, so it is published
    # and audited; whole schools and the district publish it (and n) exactly.
    return replace(policy or Policy(), answered_bands=True, exact_n_dimensions=("school",))


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
        if found is not None and found[1]:
            return found[0]
        # The counting, the one heavy read, is the replica's once it has every commit so
        # far; what was published before (the cache, earlier editions) is read here.
        reader = await db.reading_engine(engine, f"{source.instrument.id} {source.year}")
        async with reader.connect() as counting:
            gathered = await gather(counting, source, extra=extra)
        if found is not None and release_id_for(source, gathered.fingerprint, policy) == release_id:
            # Stored before releases kept their data: keep them now, while the
            # administration is still in the state the release was made from.
            await _keep(engine, release_id, gathered)
            return found[0]
        release_id = release_id_for(source, gathered.fingerprint, policy)
        earlier = await _editions(conn, source)
    # Protection is seconds to a minute of CPU work: off the event loop, so that the
    # survey and every other page stay answered while a release is made.
    instrument, data, protected, rows = await asyncio.to_thread(
        _made, source, gathered, earlier, policy, release_id, district_name, sensitive
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
                    ledger=pack(own.to_json()),
                    report=pack(protected.report.to_json()),
                    payload=pack(msgspec.json.encode(result)),
                    cells=pack_cells(gathered.schools, data),
                )
            )
    except IntegrityError:
        # Another worker stored the same state first; its release is the published one.
        async with engine.connect() as conn:
            stored = await _cached(conn, release_id)
        if stored is not None:
            return stored[0]
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
        try:
            found = await sources(conn, year)
        except ValueError as error:
            raise ReleaseError(
                f"{error}; nothing was published. Keep one closed administration per survey "
                "and year: reopen or delete the extra one",
                SETUP,
            ) from error
    return tuple(
        [
            await release_for(
                engine, s, district_name=district_name, policy=policy, now=now, sensitive=sensitive
            )
            for s in found
        ]
    )
