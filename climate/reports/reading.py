"""The report pages' labels and reliability rule, handed to the exports in one language.

``climate.exports`` may not import the report pages, so the command and the download
handler both take their ``Reading`` from here: one rule, on the pages and in the files.
"""

from __future__ import annotations

from climate.exports.reading import Reading
from climate.i18n import Catalogs
from climate.reports.labels import Labels
from climate.reports.published import rse_flag


def export_reading(catalogs: Catalogs, lang: str) -> Reading:
    """Labels in ``lang`` and the pages' reliability flag, for an export."""
    gettext = catalogs.translations(lang).gettext
    text = catalogs.instrument_text(lang)
    return Reading(lang, lambda instrument: Labels(gettext, text, instrument), gettext, rse_flag)
