"""Published values written in the page's locale with Babel, never recomputed."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from analysis.disclosure import HIDDEN
from climate.release.result import is_number

PERCENT = "percent"
MEAN = "mean"
# Cronbach's alpha: two decimals, always both shown (0.80, never 0.8).
ALPHA = "alpha"
# The district's printed band "300+" and "100-299" keep their meaning in every language.
BAND_SEPARATOR = "-"


def babel_locale(code: str) -> Locale:
    """The Babel locale of an interface language (``zh_Hans`` and friends included)."""
    return Locale.parse(code.replace("-", "_"))


@dataclass(frozen=True, slots=True)
class Formatter:
    """Writes published strings (numbers, tier codes, ``*``) in one locale."""

    locale: Locale

    @classmethod
    def for_language(cls, code: str) -> Formatter:
        """The formatter of an interface language."""
        return cls(babel_locale(code))

    def number(self, text: str, unit: str) -> str:
        """A plain published number: a percentage, a one-decimal mean or a two-decimal alpha."""
        # Decimal keeps the published digits: no float rounding can add or drop one.
        value = Decimal(text)
        if unit == PERCENT:
            # The locale's own pattern; every published digit is kept, none added.
            return format_percent(value / 100, locale=self.locale, decimal_quantization=False)
        if unit == ALPHA:
            return format_decimal(value, format="#,##0.00", locale=self.locale)
        return format_decimal(
            value, format="#,##0.0", locale=self.locale, decimal_quantization=False
        )

    def value(self, text: str, unit: str) -> str:
        """Any published value: ``*`` stays ``*``, ``<=5`` becomes ``≤5%``, empty a dash."""
        if text == HIDDEN:
            return HIDDEN
        if text == "":
            return "–"
        bare = text[:-1] if text.endswith("%") else text
        if bare.startswith("<="):
            return "≤" + self.number(bare[2:], unit)
        if bare.startswith(">="):
            return "≥" + self.number(bare[2:], unit)
        if is_number(bare):
            return self.number(bare, unit)
        return text

    def interval(self, low: str, high: str, unit: str) -> str:
        """Confidence limits, only when both are plain numbers; else nothing."""
        if not (is_number(low) and is_number(high)):
            return ""
        return f"{self.number(low, unit)} – {self.number(high, unit)}"

    def band(self, text: str) -> str:
        """A number or band of respondents (``89``, ``100-299``, ``300+``) in local digits."""
        if text in ("", HIDDEN):
            return text or "–"
        if text.isdigit():
            return self.integer(int(text))
        if text.startswith("<") and text[1:].isdigit():
            return "<" + self.integer(int(text[1:]))
        if text.endswith("+") and text[:-1].isdigit():
            return self.integer(int(text[:-1])) + "+"
        low, sep, high = text.partition(BAND_SEPARATOR)
        if sep and low.isdigit() and high.isdigit():
            return f"{self.integer(int(low))}–{self.integer(int(high))}"
        return text

    def isolate(self, text: str) -> str:
        """A number set inside a right-to-left sentence, kept left to right.

        Unisolated, "≤5%" in an Arabic sentence is reordered and its sign mirrored ("5%≥");
        a left-to-right isolate (U+2066 ... U+2069) keeps it as written.
        """
        if self.locale.text_direction != "rtl" or not text:
            return text
        return f"\u2066{text}\u2069"

    def school_year(self, year: int) -> str:
        """A school year as administrations name it: 2026 is ``2025-26``."""
        return f"{year - 1}-{year % 100:02d}"

    def integer(self, value: int) -> str:
        """A whole number with the locale's grouping."""
        return format_decimal(value, locale=self.locale)

    def share(self, value: float) -> str:
        """A share in [0, 1] as a whole percentage (for rates from public totals)."""
        if math.isnan(value):
            return "–"
        return format_percent(value, locale=self.locale)

    def fte(self, value: float) -> str:
        """Full-time equivalents, to one decimal."""
        return format_decimal(value, format="#,##0.0", locale=self.locale)

    def date(self, value: dt.date) -> str:
        """A date in the locale's long form."""
        return format_date(value, format="long", locale=self.locale)
