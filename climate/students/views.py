"""The survey as a student sees it: the instrument's wording in one language, ready to show."""

from __future__ import annotations

import msgspec

from climate.i18n import Catalogs
from climate.responses.layout import GRADE
from climate.students.access import Form


class Option(msgspec.Struct, frozen=True):
    """One answer a student can choose."""

    value: int
    label: str


class Question(msgspec.Struct, frozen=True):
    """One question; ``show_if`` names the earlier item and answers that make it appear."""

    id: str
    text: str
    options: list[Option]
    show_if: str | None = None
    show_values: list[int] = []
    sensitive: bool = False


class Section(msgspec.Struct, frozen=True):
    """One page of the survey."""

    id: str
    title: str
    questions: list[Question]


class Language(msgspec.Struct, frozen=True):
    """A language the survey is offered in, named in itself."""

    code: str
    name: str


class SurveyView(msgspec.Struct, frozen=True):
    """The localized survey; demographic questions come last, in their own section."""

    instrument: str
    version: str
    title: str
    description: str
    locale: str
    sections: list[Section]
    demographics: list[Question]
    languages: list[Language] = []


def localize(
    form: Form, catalogs: Catalogs, locale: str, sensitive: bool, grades: tuple[int, ...]
) -> SurveyView:
    """Translate an instrument, without the sensitive module unless enabled, offering ``grades``."""
    text = catalogs.instrument_text(locale)
    instrument = form.instrument
    rules = {rule.item: rule for rule in instrument.skip_rules}
    items = {item.id: item for item in instrument.items}
    sections = []
    for section in instrument.sections:
        if section.module == "sensitive" and not sensitive:
            continue
        questions = []
        for item_id in section.items:
            item = items[item_id]
            rule = rules.get(item_id)
            options = instrument.response_sets[item.response_set].options
            questions.append(
                Question(
                    id=item.id,
                    text=text(item.text),
                    options=[Option(o.value, text(o.label)) for o in options],
                    show_if=rule.show_if if rule else None,
                    show_values=list(rule.values) if rule else [],
                    sensitive=item.sensitive,
                )
            )
        sections.append(Section(section.id, text(section.title), questions))
    demographics = [
        Question(
            d.id,
            text(d.text),
            [
                Option(o.value, text(o.label))
                for o in d.options
                if d.id != GRADE or o.prefer_not_to_say or o.value in grades
            ],
        )
        for d in instrument.demographics
    ]
    return SurveyView(
        instrument=instrument.id,
        version=instrument.version,
        title=text(instrument.title),
        description=text(instrument.description),
        locale=locale,
        sections=sections,
        demographics=demographics,
    )
