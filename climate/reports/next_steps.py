"""What to do next: the panel the school report shows beside concerning results.

The district writes its own text (its tiered supports, who to contact, links) in a TOML
file named by ``CLIMATE_NEXT_STEPS``, one table per language::

    [en]
    intro = "Results describe groups of students, not any one student."
    tiers = [{ name = "For every student", text = "..." }]
    contacts = [{ name = "Student services", detail = "555-0100, weekdays 8-4" }]
    links = [{ title = "Referral form", url = "https://district.example/refer" }]

A reader gets the table of their language, else the district's first one (the district's
own contacts matter more than the language they are written in), else the shipped default,
which is translated like every page and gives no clinical advice. The file is read again
when it changes, so a district's edit shows on the next page view; a file that cannot be
read stops the service at start-up with its path, line and field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from climate.reports.labels import Translate

log = logging.getLogger(__name__)


class NextStepsError(ValueError):
    """The district's next-steps file cannot be used; the message names file and field."""


class _Tier(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    text: str


class _Contact(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    detail: str


class _Link(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    url: str


class _Language(msgspec.Struct, forbid_unknown_fields=True):
    intro: str = ""
    tiers: list[_Tier] = msgspec.field(default_factory=list)
    contacts: list[_Contact] = msgspec.field(default_factory=list)
    links: list[_Link] = msgspec.field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Entry:
    """One named line of the panel: a tier of support or a contact."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A link the district gives, such as its referral form."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class NextSteps:
    """The panel in one language; ``lang`` is that of its text (the page's, or the file's)."""

    intro: str
    tiers: tuple[Entry, ...]
    contacts: tuple[Entry, ...]
    links: tuple[Link, ...]
    lang: str
    from_district: bool


def default_next_steps(_: Translate, lang: str) -> NextSteps:
    """The shipped text: tiered supports in general terms, and no clinical advice."""
    return NextSteps(
        intro=_(
            "Results describe groups of students, not any one student. Talk them over with "
            "your school's student support team before you plan a response."
        ),
        tiers=(
            Entry(
                _("For every student"),
                _(
                    "Share the results with staff and students, choose one school-wide step "
                    "to strengthen belonging or safety, and look again at next year's survey."
                ),
            ),
            Entry(
                _("For some students"),
                _(
                    "Use your school's referral process so that students who may need more "
                    "support are seen by the support team. The survey cannot tell you who "
                    "they are."
                ),
            ),
            Entry(
                _("For a few students"),
                _(
                    "A student who may harm themselves or others needs your school's crisis "
                    "procedure today, not a survey report."
                ),
            ),
        ),
        contacts=(),
        links=(),
        lang=lang,
        from_district=False,
    )


def parse(text: str, name: str) -> dict[str, NextSteps]:
    """The district's panels by language, from the text of the file ``name``."""
    try:
        tables = msgspec.toml.decode(text.encode())
    except msgspec.DecodeError as error:
        # The TOML parser's message carries the line and column.
        raise NextStepsError(f"{name}: {error}") from None
    raw: dict[str, _Language] = {}
    for lang, table in tables.items():
        if not isinstance(table, dict):
            raise NextStepsError(f"{name}: {lang} must be a table, such as [{lang}]")
        try:
            raw[lang] = msgspec.convert(table, _Language)
        except msgspec.ValidationError as error:
            raise NextStepsError(f"{name}: {_readable(str(error), lang)}") from None
    if not raw:
        raise NextStepsError(f"{name}: no language table, such as [en], was found")
    found: dict[str, NextSteps] = {}
    for lang, table in raw.items():
        for number, link in enumerate(table.links, start=1):
            if urlsplit(link.url).scheme not in ("http", "https") or not urlsplit(link.url).netloc:
                raise NextStepsError(
                    f"{name}: {lang}.links[{number}].url {link.url!r} must be an http(s) address"
                )
        blank = [
            f"{lang}.{kind}[{number}]"
            for kind, entries in (("tiers", table.tiers), ("contacts", table.contacts))
            for number, entry in enumerate(entries, start=1)
            if not all(part.strip() for part in msgspec.structs.astuple(entry))
        ]
        if blank:
            raise NextStepsError(f"{name}: {blank[0]} has an empty field")
        found[lang] = NextSteps(
            intro=table.intro.strip(),
            tiers=tuple(Entry(t.name.strip(), t.text.strip()) for t in table.tiers),
            contacts=tuple(Entry(c.name.strip(), c.detail.strip()) for c in table.contacts),
            links=tuple(Link(k.title.strip(), k.url) for k in table.links),
            lang=lang.replace("_", "-"),
            from_district=True,
        )
    return found


def _readable(message: str, lang: str) -> str:
    """msgspec's ``... - at `$.tiers[0].text``` as ``... at es.tiers[1].text``, from 1."""
    head, _sep, where = message.partition(" - at `$")
    parts = [lang]
    for piece in where.rstrip("`").split(".")[1:] if where else ():
        key, bracket, index = piece.partition("[")
        parts.append(f"{key}[{int(index.rstrip(']')) + 1}]" if bracket else key)
    return f"{head} at {'.'.join(parts)}"


def load(path: Path) -> dict[str, NextSteps]:
    """The district's panels from ``path``; :class:`NextStepsError` names what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise NextStepsError(f"{path}: cannot be read ({error})") from None
    return parse(text, str(path))


_cache: dict[Path, tuple[float, dict[str, NextSteps]]] = {}


def district_next_steps(path: Path | None) -> dict[str, NextSteps]:
    """The district's panels, read again when the file changes; empty without a file.

    A file that was good at start-up and was then saved broken keeps its last good text,
    and the problem is logged, so a typo never takes a report away from a counselor.
    """
    if path is None:
        return {}
    try:
        changed = path.stat().st_mtime
    except OSError as error:
        log.error("CLIMATE_NEXT_STEPS %s cannot be read: %s", path, error)
        return _cache.get(path, (0.0, {}))[1]
    cached = _cache.get(path)
    if cached is not None and cached[0] == changed:
        return cached[1]
    try:
        found = load(path)
    except NextStepsError as error:
        log.error("CLIMATE_NEXT_STEPS: %s", error)
        return cached[1] if cached else {}
    _cache[path] = (changed, found)
    return found


def next_steps_for(path: Path | None, lang: str, _: Translate) -> NextSteps:
    """The panel for a reader of ``lang``: theirs, else the district's first, else ours."""
    district = district_next_steps(path)
    wanted = lang.replace("-", "_")
    for key, steps in district.items():
        if key.replace("-", "_") == wanted:
            return steps
    if district:
        return next(iter(district.values()))
    return default_next_steps(_, lang)
