"""Languages at run time: catalogs read from ``.po`` files, negotiation, and Jinja's gettext.

Two gettext domains live in ``locales/<locale>/LC_MESSAGES/``: ``messages.po`` for the
interface and ``instruments.po`` for survey wording (msgid = the English text of the TOML
file). They are read once at start-up, with no compile step. Any missing string, missing
file or fuzzy entry falls back to the English source, never to a blank.
"""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from climate.settings import PROJECT_ROOT

LOCALES_DIR = PROJECT_ROOT / "locales"
SOURCE_LOCALE = "en"
DOMAINS = ("messages", "instruments")
COOKIE = "lang"
# Babel's own names for these differ from what their speakers' communities use in schools.
NAMES = {"zh_Hans": "简体中文", "ht": "Kreyòl ayisyen"}
# Languages with several written forms map only the form we ship.
ALIASES = {
    "zh": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh_sg": "zh_Hans",
    "zh_hans": "zh_Hans",
    "zh_hans_cn": "zh_Hans",
}
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")


def load_po(path: Path) -> NullTranslations:
    """Translations from one ``.po`` file (untranslated and fuzzy entries are left out)."""
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


@dataclass(frozen=True, slots=True)
class LocaleStatus:
    """Whether a locale's instrument wording is a machine draft or reviewed, and by whom."""

    instruments: str = "machine-draft"
    reviewed_by: str = ""
    interface: str = "machine-draft"
    reviewed_on: str = ""

    @property
    def unreviewed(self) -> bool:
        """Whether no qualified person has checked the instrument wording students read."""
        return self.instruments not in ("source", "reviewed")


@dataclass(slots=True)
class Catalogs:
    """Both domains for every locale, read once from ``directory``."""

    directory: Path = LOCALES_DIR
    _cache: dict[tuple[str, str], NullTranslations] = field(default_factory=dict)

    def translations(self, locale: str, domain: str = "messages") -> NullTranslations:
        """The translations of ``domain`` in ``locale`` (English passes text through)."""
        key = (locale, domain)
        found = self._cache.get(key)
        if found is None:
            if locale == SOURCE_LOCALE:
                found = NullTranslations()
            else:
                found = load_po(self.directory / locale / "LC_MESSAGES" / f"{domain}.po")
            self._cache[key] = found
        return found

    def gettext(self, locale: str, message: str) -> str:
        """One interface string in ``locale``."""
        return self.translations(locale).gettext(message)

    def instrument_text(self, locale: str) -> Callable[[str], str]:
        """A function translating instrument wording into ``locale``."""
        return self.translations(locale, "instruments").gettext

    def status(self) -> dict[str, LocaleStatus]:
        """Per locale, the review state recorded in ``status.toml`` (empty when absent)."""
        path = self.directory / "status.toml"
        if not path.is_file():
            return {}
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        table = data.get("locales", data)
        result: dict[str, LocaleStatus] = {}
        for code, entry in table.items():
            if isinstance(entry, Mapping):
                result[code] = LocaleStatus(
                    instruments=str(entry.get("instruments", entry.get("status", "machine-draft"))),
                    reviewed_by=str(entry.get("reviewed_by", "")),
                    interface=str(entry.get("interface", "machine-draft")),
                    reviewed_on=str(entry.get("reviewed_on", "")),
                )
        return result


def language_name(code: str) -> str:
    """A language's name in that language, as its speakers would look for it."""
    if code in NAMES:
        return NAMES[code]
    name: str = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def direction(code: str) -> str:
    """``rtl`` or ``ltr`` for the ``dir`` attribute."""
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


def html_lang(code: str) -> str:
    """The BCP 47 tag for the ``lang`` attribute (``zh-Hans``)."""
    return code.replace("_", "-")


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, best first; malformed parts are ignored."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:1000].split(",")):
        tag, _sep, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*" or not _TAG.match(tag):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality != quality or not 0.0 < quality <= 1.0:  # NaN, zero or out of range
            continue
        weighted.append((-quality, index, tag))
    return [tag for _q, _i, tag in sorted(weighted)]


def match(tag: str, available: Iterable[str]) -> str | None:
    """The available locale a language tag asks for, if any (``es-MX`` -> ``es``)."""
    options = list(available)
    lowered = {code.lower(): code for code in options}
    key = tag.replace("-", "_").lower()
    if key in lowered:
        return lowered[key]
    alias = ALIASES.get(key)
    if alias in options:
        return alias
    base = key.split("_")[0]
    if base == "zh":
        # Traditional script readers are not served by the simplified catalog.
        return "zh_Hans" if "zh_Hans" in options and not _traditional(key) else None
    return lowered.get(base)


def _traditional(key: str) -> bool:
    parts = key.split("_")[1:]
    return any(part in ("hant", "tw", "hk", "mo") for part in parts)


def negotiate(
    available: Iterable[str],
    default: str,
    *,
    explicit: str | None = None,
    cookie: str | None = None,
    accept_language: str | None = None,
) -> str:
    """Pick the locale: explicit choice, then the remembered choice, then Accept-Language."""
    options = list(available)
    for choice in (explicit, cookie):
        if choice:
            found = match(choice, options)
            if found:
                return found
    for tag in parse_accept_language(accept_language):
        found = match(tag, options)
        if found:
            return found
    if default in options:
        return default
    return options[0] if options else default


def jinja_gettext(translations: NullTranslations) -> dict[str, Any]:
    """Per-render ``_``, ``gettext`` and ``ngettext`` for Jinja's i18n extension (new style)."""

    # Catalog text is the project's own and may hold markup; variables are escaped by ``%``.
    def gettext(message: str, **variables: Any) -> str:
        text = Markup(translations.gettext(message))  # noqa: S704
        # As Jinja's own new-style gettext: always format, so '%%' means one percent sign.
        return text % variables

    def ngettext(singular: str, plural: str, count: int, **variables: Any) -> str:
        variables.setdefault("num", count)
        text = Markup(translations.ngettext(singular, plural, count))  # noqa: S704
        return text % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}
