"""Languages at run time: negotiation, catalogs with English fallback, names and direction."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from hypothesis import given
from hypothesis import strategies as st

from climate.i18n import (
    Catalogs,
    direction,
    html_lang,
    jinja_gettext,
    language_name,
    load_po,
    match,
    negotiate,
    parse_accept_language,
)

SHIPPED = ("en", "es", "ar", "zh_Hans", "vi", "pt", "ru", "ht", "so")


@given(st.text(max_size=200))
def test_accept_language_parser_never_raises(header: str) -> None:
    tags = parse_accept_language(header)
    assert all(isinstance(tag, str) and tag for tag in tags)


@given(st.text(max_size=100), st.text(max_size=20), st.text(max_size=20))
def test_negotiation_always_picks_an_available_locale(
    header: str, explicit: str, cookie: str
) -> None:
    chosen = negotiate(SHIPPED, "en", explicit=explicit, cookie=cookie, accept_language=header)
    assert chosen in SHIPPED


def test_accept_language_orders_by_quality() -> None:
    header = "fr;q=0.2, es-MX;q=0.8, ar, *;q=0.1, en;q=0"
    assert parse_accept_language(header) == ["ar", "es-MX", "fr"]


def test_explicit_choice_beats_cookie_beats_header_beats_default() -> None:
    assert negotiate(SHIPPED, "en", explicit="vi", cookie="es", accept_language="ar") == "vi"
    assert negotiate(SHIPPED, "en", cookie="es", accept_language="ar") == "es"
    assert negotiate(SHIPPED, "en", accept_language="fr, ar;q=0.5") == "ar"
    assert negotiate(SHIPPED, "es", accept_language="fr") == "es"
    assert negotiate(("en", "es"), "en", explicit="ar") == "en"


def test_regional_and_script_tags_map_to_shipped_locales() -> None:
    assert match("pt-BR", SHIPPED) == "pt"
    assert match("zh-CN", SHIPPED) == "zh_Hans"
    assert match("zh-Hans", SHIPPED) == "zh_Hans"
    assert match("zh", SHIPPED) == "zh_Hans"
    assert match("zh-TW", SHIPPED) is None
    assert match("so-SO", SHIPPED) == "so"
    assert match("de", SHIPPED) is None


def test_language_names_are_in_their_own_language() -> None:
    assert language_name("zh_Hans") == "简体中文"
    assert language_name("ht") == "Kreyòl ayisyen"
    assert language_name("so") == "Soomaali"
    assert language_name("es") == "Español"
    assert language_name("ar") == "العربية"


def test_direction_and_html_lang() -> None:
    assert direction("ar") == "rtl"
    assert direction("es") == "ltr"
    assert html_lang("zh_Hans") == "zh-Hans"


def _po(path: Path, entries: list[tuple[str, str, bool]]) -> None:
    catalog = Catalog(locale="es")
    for msgid, msgstr, fuzzy in entries:
        catalog.add(msgid, msgstr, flags=("fuzzy",) if fuzzy else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)


def test_missing_blank_and_fuzzy_strings_fall_back_to_english(tmp_path: Path) -> None:
    _po(
        tmp_path / "es" / "LC_MESSAGES" / "messages.po",
        [("Start", "Empezar", False), ("Back", "", False), ("Next", "Siguiente?", True)],
    )
    catalogs = Catalogs(tmp_path)
    assert catalogs.gettext("es", "Start") == "Empezar"
    assert catalogs.gettext("es", "Back") == "Back"
    assert catalogs.gettext("es", "Next") == "Next"
    assert catalogs.gettext("es", "Never translated") == "Never translated"
    assert catalogs.gettext("vi", "Start") == "Start"
    assert catalogs.instrument_text("es")("I feel safe.") == "I feel safe."


def test_load_po_without_a_file_passes_text_through(tmp_path: Path) -> None:
    assert load_po(tmp_path / "absent.po").gettext("Hello") == "Hello"


def test_status_reads_review_state(tmp_path: Path) -> None:
    (tmp_path / "status.toml").write_text(
        '[locales.es]\ninstruments = "reviewed"\nreviewed_by = "A. Translator"\n'
        '[locales.so]\ninstruments = "machine-draft"\n',
        encoding="utf-8",
    )
    status = Catalogs(tmp_path).status()
    assert status["es"].instruments == "reviewed"
    assert status["es"].reviewed_by == "A. Translator"
    assert status["so"].instruments == "machine-draft"
    assert Catalogs(tmp_path / "nowhere").status() == {}


def test_jinja_gettext_formats_named_placeholders_and_escapes_values(tmp_path: Path) -> None:
    functions = jinja_gettext(Catalogs(tmp_path).translations("en"))
    text = functions["_"]("Section %(current)s of %(total)s", current=2, total=6)
    assert text == "Section 2 of 6"
    assert "&lt;b&gt;" in functions["_"]("Receipt %(receipt)s", receipt="<b>")
