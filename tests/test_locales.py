"""The gettext catalogs: present, well formed, complete, and in step with the sources."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
LOCALES_DIR = ROOT / "locales"
SOURCE = "en"
LOCALES = ("en", "es", "ar", "zh_Hans", "vi", "pt", "ru", "ht", "so")
TRANSLATED = tuple(code for code in LOCALES if code != SOURCE)
# The same mapping files `make i18n` passes to `pybabel extract -F`.
MAPPINGS = {"messages": ROOT / "babel.cfg", "instruments": ROOT / "babel-instruments.cfg"}
DOMAINS = tuple(MAPPINGS)
STATUSES = {"source", "machine-draft", "reviewed"}

# %(name)s style (Python and Jinja {% trans %} variables), bare %s/%d, and str.format {name}.
_NAMED = re.compile(r"%\((?P<name>[^)]*)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BARE = re.compile(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACED = re.compile(r"(?<!\{)\{(?P<name>[^{}]*)\}(?!\})")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")

Key = tuple[str, str | None]


def placeholders(text: str) -> tuple[frozenset[str], int]:
    """Named placeholders (``%(x)s`` and ``{x}``) and the number of bare ``%s``-style ones."""
    text = text.replace("%%", "")
    names = {f"%({m['name']})" for m in _NAMED.finditer(text)}
    names |= {f"{{{m['name']}}}" for m in _BRACED.finditer(text)}
    return frozenset(names), len(_BARE.findall(text))


class _AnyValue(dict[str, int]):
    """A mapping with a value for every name, to try a format string the way Jinja does."""

    def __missing__(self, name: str) -> int:
        return 0


def formats(text: str) -> bool:
    """Whether ``text % {...}`` works: new-style Jinja gettext formats every string it returns."""
    try:
        text % _AnyValue()
    except (TypeError, ValueError, KeyError):
        return False
    return True


def key(message: Message) -> Key:
    """How a catalog indexes a message: its singular msgid and its context."""
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A msgid or msgstr as a tuple of its forms (one, or one per plural form)."""
    if value is None:
        return ("",)
    return (value,) if isinstance(value, str) else tuple(value)


def entries(catalog: Catalog) -> list[Message]:
    """The catalog's messages without its header entry."""
    return [message for message in catalog if message.id]


@cache
def catalog(locale: str, domain: str) -> Catalog:
    """One locale's catalog of one domain, read from its ``.po`` file."""
    with (LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle, locale=locale, domain=domain)


@cache
def template(domain: str) -> Catalog:
    """The ``.pot`` template of one domain."""
    with (LOCALES_DIR / f"{domain}.pot").open("rb") as handle:
        return read_po(handle, domain=domain)


@cache
def extracted(domain: str) -> frozenset[Key]:
    """Every translatable string the sources hold today, extracted as `make i18n` does."""
    with MAPPINGS[domain].open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPINGS[domain]))
    found: set[Key] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found.add((message if isinstance(message, str) else message[0], context))
    return frozenset(found)


def drift(catalog_keys: Iterable[Key], source_keys: Iterable[Key]) -> list[str]:
    """Lines naming each source string a catalog lacks and each entry it holds in excess."""
    have, want = set(catalog_keys), set(source_keys)
    lines = [f"  missing: {msgid!r}" for msgid, _ctx in sorted(want - have, key=str)]
    lines += [f"  obsolete: {msgid!r}" for msgid, _ctx in sorted(have - want, key=str)]
    return lines


def placeholder_problems(message: Message) -> list[str]:
    """Why a translated message's placeholders differ from its msgid's (empty when they match)."""
    ids = [placeholders(text) for text in forms(message.id)]
    strings = [text for text in forms(message.string) if text]
    if len(ids) == 1:
        return [
            f"{message.id!r}: {text!r} has {placeholders(text)}, expected {ids[0]}"
            for text in strings
            if placeholders(text) != ids[0]
        ]
    # A plural form may leave out the count (a language may say "one" in words), but may
    # not bring in a name the source does not have, and together they must use them all.
    allowed = frozenset().union(*(names for names, _bare in ids))
    used = frozenset().union(*(placeholders(text)[0] for text in strings))
    problems = [f"{message.id!r}: unknown placeholders {used - allowed}"] if used - allowed else []
    if strings and used != allowed:
        problems.append(f"{message.id!r}: plural forms never use {allowed - used}")
    return problems


# --- the helpers can tell good from bad ---------------------------------------------------


@given(st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True), st.sampled_from(["s", "d", "i"]))
def test_placeholders_finds_every_named_form(name: str, conversion: str) -> None:
    text = f"Before %({name}){conversion} middle {{{name}}} after 100%% sure."
    assert placeholders(text) == (frozenset({f"%({name})", f"{{{name}}}"}), 0)


@given(st.text(alphabet=st.characters(blacklist_characters="%{}"), max_size=40))
def test_placeholders_ignores_text_without_markers(text: str) -> None:
    assert placeholders(text) == (frozenset(), 0)


def test_placeholder_check_flags_a_changed_name() -> None:
    good = Message("Section %(current)s of %(total)s", "Sección %(current)s de %(total)s")
    bad = Message("Section %(current)s of %(total)s", "Sección %(actual)s de %(total)s")
    assert placeholder_problems(good) == []
    assert len(placeholder_problems(bad)) == 1


def test_formats_flags_a_lone_percent_sign() -> None:
    assert formats("Values near 0%% or 100%% are shown as a range, such as ≤5%%.")
    assert not formats("Values near 0% or 100% are shown as a range, such as ≤5%.")


def test_drift_names_missing_and_obsolete_strings() -> None:
    lines = drift([("Old wording", None), ("Kept", None)], [("Kept", None), ("New", None)])
    assert lines == ["  missing: 'New'", "  obsolete: 'Old wording'"]


# --- the catalogs -------------------------------------------------------------------------


def test_locale_directories_are_exactly_the_supported_locales() -> None:
    found = {path.name for path in LOCALES_DIR.iterdir() if path.is_dir()}
    assert found == set(LOCALES)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_both_catalogs(locale: str, domain: str) -> None:
    loaded = catalog(locale, domain)
    assert str(loaded.locale) == locale
    assert not loaded.fuzzy, "the header is marked fuzzy, so the catalog would be skipped"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_check_reports_no_errors(locale: str, domain: str) -> None:
    errors = [
        f"  {message.id!r}: {error}"
        for message, found in catalog(locale, domain).check()
        for error in found
    ]
    assert not errors, f"{locale}/{domain}.po:\n" + "\n".join(errors)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", TRANSLATED)
def test_nothing_is_untranslated_or_fuzzy(locale: str, domain: str) -> None:
    gaps = [
        f"  {'fuzzy' if message.fuzzy else 'untranslated'}: {message.id!r}"
        for message in entries(catalog(locale, domain))
        if message.fuzzy or not all(forms(message.string))
    ]
    assert not gaps, f"{locale}/{domain}.po has {len(gaps)} unfinished entries:\n" + "\n".join(gaps)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match_the_source(locale: str, domain: str) -> None:
    problems = [
        problem
        for message in entries(catalog(locale, domain))
        for problem in placeholder_problems(message)
    ]
    assert not problems, f"{locale}/{domain}.po:\n" + "\n".join(problems)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_format_where_the_source_does(locale: str, domain: str) -> None:
    # A lone % in a translation of a string that is %-formatted raises at render time.
    broken = [
        f"  {message.id!r}: {text!r}"
        for message in entries(catalog(locale, domain))
        if any("%" in text for text in forms(message.id))
        and all(formats(text) for text in forms(message.id))
        for text in forms(message.string)
        if text and not formats(text)
    ]
    assert not broken, f"{locale}/{domain}.po cannot be formatted:\n" + "\n".join(broken)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", TRANSLATED)
def test_markup_is_kept(locale: str, domain: str) -> None:
    # Templates mark up words inside {% trans %} blocks; a lost or altered tag breaks the page.
    changed = [
        f"  {message.id!r}: {text!r}"
        for message in entries(catalog(locale, domain))
        for text in forms(message.string)
        if text and sorted(_TAG.findall(text)) != sorted(_TAG.findall(forms(message.id)[0]))
    ]
    assert not changed, f"{locale}/{domain}.po changes markup:\n" + "\n".join(changed)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", TRANSLATED)
def test_crisis_line_number_survives_translation(locale: str, domain: str) -> None:
    # Every page shows 988 to every student; a translation that drops it hides the line.
    dropped = [
        message.id
        for message in entries(catalog(locale, domain))
        if any("988" in text for text in forms(message.id))
        and not all("988" in text for text in forms(message.string) if text)
    ]
    assert not dropped, f"{locale}/{domain}.po drops 988 from {dropped}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogs_are_in_step_with_the_sources(domain: str) -> None:
    sources = extracted(domain)
    report: list[str] = []
    for name, loaded in [(f"{domain}.pot", template(domain))] + [
        (f"{locale}/{domain}.po", catalog(locale, domain)) for locale in LOCALES
    ]:
        lines = drift((key(message) for message in entries(loaded)), sources)
        lines += [f"  obsolete (#~): {msgid!r}" for msgid in loaded.obsolete]
        if lines:
            report += [f"{name}:", *lines]
    assert not report, "run `make i18n` and translate what is new:\n" + "\n".join(report)


def test_sources_hold_translatable_strings() -> None:
    # An empty extraction (a broken mapping file) would make the step check pass vacuously.
    assert extracted("instruments")
    assert ("Which best describes you?", None) in extracted("instruments")


# --- status.toml ----------------------------------------------------------------------------


def load_status() -> dict[str, dict[str, object]]:
    """The ``[locales.<code>]`` tables of ``locales/status.toml``."""
    data = tomllib.loads((LOCALES_DIR / "status.toml").read_text(encoding="utf-8"))
    tables: dict[str, dict[str, object]] = data["locales"]
    return tables


def test_status_lists_every_locale_once() -> None:
    assert set(load_status()) == set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_status_entry_is_valid(locale: str) -> None:
    entry = load_status()[locale]
    states = {entry.get("instruments"), entry.get("interface")}
    assert states <= STATUSES
    assert ("source" in states) == (locale == SOURCE)
    if "reviewed" in states:
        assert isinstance(entry.get("reviewed_by"), str)
        assert entry["reviewed_by"]
        assert isinstance(entry.get("reviewed_on"), dt.date)
    else:
        assert "reviewed_by" not in entry
        assert "reviewed_on" not in entry
    assert isinstance(entry.get("name"), str)
    assert entry["name"]
    expected = "rtl" if Locale.parse(locale).character_order == "right-to-left" else "ltr"
    assert entry.get("direction") == expected
