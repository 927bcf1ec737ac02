"""Published values in nine languages: digits kept, hidden marks untouched, never a crash."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from climate.reports.formatting import ALPHA, Formatter
from climate.reports.school import response_rate
from climate.settings import Settings

LOCALES = Settings(secret_key="x" * 40).accepted_locales
PUBLISHED = st.one_of(
    st.just("*"),
    st.just(""),
    st.integers(0, 100).map(str),
    st.integers(1, 20).map(lambda n: f"<={n}"),
    st.integers(80, 99).map(lambda n: f">={n}"),
)


@given(text=PUBLISHED, lang=st.sampled_from(LOCALES))
def test_every_published_value_formats(text: str, lang: str) -> None:
    shown = Formatter.for_language(lang).value(text, "percent")
    if text == "*":
        assert shown == "*"
    digits = "".join(c for c in text if c.isdigit())
    assert "".join(c for c in shown if c.isdigit()) == digits


@pytest.mark.parametrize(
    ("lang", "value", "mean", "code"),
    [
        ("en", "45%", "3.2", "≤5%"),
        ("es", "45\xa0%", "3,2", "≤5\xa0%"),
        ("ru", "45\xa0%", "3,2", "≤5\xa0%"),
    ],
)
def test_numbers_follow_the_locale(lang: str, value: str, mean: str, code: str) -> None:
    # CLDR percent and decimal patterns, as Babel ships them.
    fmt = Formatter.for_language(lang)
    assert fmt.value("45", "percent") == value
    assert fmt.value("3.2", "mean") == mean
    assert fmt.value("<=5", "percent") == code


def test_published_digits_are_never_rounded() -> None:
    fmt = Formatter.for_language("en")
    assert fmt.value("2.45", "mean") == "2.45"
    assert fmt.value("12.5", "percent") == "12.5%"
    assert fmt.interval("*", "*", "percent") == ""


def test_dates_and_bands() -> None:
    fmt = Formatter.for_language("es")
    assert fmt.date(dt.date(2026, 5, 1)) == "1 de mayo de 2026"
    assert fmt.band("1000+") == "1.000+"  # CLDR: Spanish groups thousands with a period
    assert fmt.band("100-299") == "100–299"
    # Exact counts (whole schools) and the reason of a provably small hidden group.
    assert fmt.band("1234") == "1.234"
    assert fmt.band("<10") == "<10"


def test_response_rate_is_the_range_the_band_allows() -> None:
    fmt = Formatter.for_language("en")
    # 100-299 respondents of 400 enrolled: 25% to 75%.
    assert response_rate("100-299", 400, fmt) == "25% – 75%"
    assert response_rate("300+", 400, fmt) == "≥75%"
    # Whole schools publish their respondents exactly: 89 of 124 enrolled is 72 %.
    assert response_rate("89", 124, fmt) == "72%"
    assert response_rate("*", 400, fmt) == "*"
    assert response_rate("10-19", None, fmt) == "–"


@pytest.mark.parametrize(
    ("lang", "text", "shown"),
    [
        ("en", "0.80", "0.80"),
        ("en", "0.6", "0.60"),
        ("ru", "0.80", "0,80"),
        ("en", "-0.12", "-0.12"),
    ],
)
def test_alpha_keeps_both_decimals_in_local_digits(lang: str, text: str, shown: str) -> None:
    # An alpha of 0.80 printed as 0.8 reads as a different, vaguer number.
    assert Formatter.for_language(lang).value(text, ALPHA) == shown


@pytest.mark.parametrize(
    ("year", "label"), [(2026, "2025-26"), (2000, "1999-00"), (2010, "2009-10")]
)
def test_school_years_are_written_as_administrations_name_them(year: int, label: str) -> None:
    # climate.administrations.windows names a window "<title> 2025-26" for the year 2026.
    assert Formatter.for_language("en").school_year(year) == label


def test_numbers_in_a_right_to_left_sentence_are_isolated() -> None:
    arabic = Formatter.for_language("ar")
    bound = arabic.value("<=5", "percent")
    # U+2066 LEFT-TO-RIGHT ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE (Unicode UAX #9).
    assert arabic.isolate(bound) == "\u2066" + bound + "\u2069"
    assert Formatter.for_language("en").isolate("≤5%") == "≤5%"
    assert arabic.isolate("") == ""
