"""Names shown for scales, statistics, dimensions and groups, in the page's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from climate.instruments import Instrument
from climate.release.catalogue import NOT_REPORTED, combined_groups, item_options

Translate = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Labels:
    """Interface strings (``_``) and instrument wording (``text``) in one language."""

    _: Translate
    text: Translate
    instrument: Instrument | None

    def scale(self, scale_id: str) -> str:
        """A scale's title."""
        if self.instrument is not None:
            for scale in self.instrument.scales:
                if scale.id == scale_id:
                    return self.text(scale.title)
        return scale_id

    def statistic(self, statistic: str) -> str:
        """What a statistic measures."""
        _ = self._
        names = {
            "percent_favorable": _("Favorable (%)"),
            "percent_elevated": _("Elevated (%)"),
            "mean": _("Mean score"),
            "percent": _("Students (%)"),
        }
        return names.get(statistic, statistic)

    def dimension(self, dimension: str) -> str:
        """A short heading for a group of students."""
        _ = self._
        names = {
            "grade": _("Grade"),
            "gender": _("Gender"),
            "race_ethnicity": _("Race and ethnicity"),
            "home_language": _("Language at home"),
            "years_at_school": _("Years at this school"),
            "activities": _("After-school activities"),
        }
        if dimension in names:
            return names[dimension]
        if self.instrument is not None:
            for question in self.instrument.demographics:
                if question.id == dimension:
                    return self.text(question.text)
        return dimension

    def group(self, dimension: str, group: str) -> str:
        """A category of a demographic question as students saw it, or a combined group's label."""
        if group == NOT_REPORTED:
            return self._("Not reported")
        if self.instrument is not None:
            for question in self.instrument.demographics:
                if question.id != dimension:
                    continue
                for option in question.options:
                    if str(option.value) == group:
                        return self.text(option.label)
                names = (name for name, _ in combined_groups(question))
                for name, combined in zip(names, question.combined, strict=True):
                    if name == group:
                        return self.text(combined.label)
        return group

    def item(self, item_id: str) -> str:
        """An item's wording."""
        if self.instrument is not None:
            for item in self.instrument.items:
                if item.id == item_id:
                    return self.text(item.text)
        return item_id

    def options(self, item_id: str) -> tuple[tuple[str, str], ...]:
        """An item's option values and their labels, in response-set order."""
        if self.instrument is None:
            return ()
        item = next((i for i in self.instrument.items if i.id == item_id), None)
        if item is None:
            return ()
        labels = {
            str(o.value): self.text(o.label)
            for o in self.instrument.response_sets[item.response_set].options
        }
        return tuple((v, labels[v]) for v in item_options(self.instrument, item_id))

    def anchors(self, scale_id: str) -> str:
        """What a mean score's ends mean, from the answers of the scale's first plain item."""
        if self.instrument is None:
            return ""
        scale = next((s for s in self.instrument.scales if s.id == scale_id), None)
        # A reversed item's answers run the other way from the score: take one that is not.
        first = next((i for i in scale.items if i not in scale.reverse), None) if scale else None
        item = next((i for i in self.instrument.items if i.id == first), None)
        if scale is None or item is None or scale.scoring != "mean":
            return ""
        options = self.instrument.response_sets[item.response_set].options
        low, high = options[0], options[-1]
        return self._("%(low)s = %(low_label)s … %(high)s = %(high_label)s") % {
            "low": low.value,
            "low_label": self.text(low.label),
            "high": high.value,
            "high_label": self.text(high.label),
        }

    def condition(self, item_id: str) -> str:
        """Who was asked an item a skip rule shows only to some, in plain words; else ""."""
        if self.instrument is None:
            return ""
        rule = next((r for r in self.instrument.skip_rules if r.item == item_id), None)
        if rule is None:
            return ""
        answers = dict(self.options(rule.show_if))
        chosen = [answers.get(str(v), str(v)) for v in rule.values]
        return self._("Of students who answered %(answers)s to “%(question)s”") % {
            "answers": self._(" or ").join(f"“{a}”" for a in chosen),
            "question": self.item(rule.show_if),
        }

    def title(self) -> str:
        """The instrument's title."""
        return self.text(self.instrument.title) if self.instrument is not None else ""
