"""Semantic checks of a decoded instrument: references, ranges, ids and storage limits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from climate.instruments.model import Demographic, Instrument, Scale
from climate.models.surveys import MAX_DEMOGRAPHICS, MAX_ITEMS, MAX_SCALES

__all__ = [
    "MAX_DEMOGRAPHICS",
    "MAX_ITEMS",
    "MAX_OPTION_VALUE",
    "MAX_SCALES",
    "REQUIRED_DEMOGRAPHICS",
    "validate",
]

# Answers are stored as small integers; the slot counts come from the response table.
MAX_OPTION_VALUE = 99
REQUIRED_DEMOGRAPHICS = ("grade", "gender", "race_ethnicity", "home_language")
GRADES = (3, 12)

_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)+")

Found = tuple[str, str]  # (path, message)


def validate(instrument: Instrument) -> list[Found]:
    """Return every semantic problem of an instrument as (field path, message) pairs."""
    found: list[Found] = []
    found += _header(instrument)
    found += _response_sets(instrument)
    found += _items(instrument)
    found += _sections(instrument)
    found += _scales(instrument)
    found += _skip_rules(instrument)
    found += _demographics(instrument)
    return found


def _quote(ids: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in ids)


def _check_id(path: str, value: str) -> list[Found]:
    if _ID.fullmatch(value):
        return []
    return [
        (
            path,
            f"{value!r} is not an id (lowercase letters, digits and _, a letter first, "
            "at most 40 characters)",
        )
    ]


def _text(path: str, value: str) -> list[Found]:
    return [] if value.strip() else [(path, "must not be empty")]


def _unique_ids(list_path: str, kind: str, ids: list[str]) -> list[Found]:
    found: list[Found] = []
    first: dict[str, int] = {}
    for index, value in enumerate(ids):
        path = f"{list_path}[{index}].id"
        found += _check_id(path, value)
        if value in first:
            found.append(
                (path, f"duplicate {kind} id {value!r} (first at {list_path}[{first[value]}])")
            )
        else:
            first[value] = index
    return found


def _option_values(options_path: str, values: list[int]) -> list[Found]:
    found: list[Found] = []
    seen: set[int] = set()
    for index, value in enumerate(values):
        path = f"{options_path}[{index}].value"
        if not 0 <= value <= MAX_OPTION_VALUE:
            found.append((path, f"value {value} is outside 0..{MAX_OPTION_VALUE}"))
        if value in seen:
            found.append((path, f"duplicate option value {value}"))
        seen.add(value)
    return found


def _header(instrument: Instrument) -> list[Found]:
    found = _check_id("id", instrument.id)
    if not _VERSION.fullmatch(instrument.version):
        found.append(
            (
                "version",
                f"{instrument.version!r} is not a dotted version string such as 1.0 or 2.1.3",
            )
        )
    found += _text("title", instrument.title)
    found += _text("licence.name", instrument.licence.name)
    found += _text("licence.attribution", instrument.licence.attribution)
    band = instrument.grade_band
    low, high = GRADES
    if not _band_ok(band):
        found.append(
            (
                "grade_band",
                f"must be two grades [low, high] with {low} <= low <= high <= {high}, got {band}",
            )
        )
    return found


def _band_ok(band: list[int]) -> bool:
    return len(band) == 2 and GRADES[0] <= band[0] <= band[1] <= GRADES[1]


def _response_sets(instrument: Instrument) -> list[Found]:
    found: list[Found] = []
    for name, response_set in instrument.response_sets.items():
        path = f"response_sets.{name}"
        found += _check_id(path, name)
        options = response_set.options
        if len(options) < 2:
            found.append((f"{path}.options", f"needs at least 2 options, has {len(options)}"))
        found += _option_values(f"{path}.options", [option.value for option in options])
        for index, option in enumerate(options):
            found += _text(f"{path}.options[{index}].label", option.label)
    return found


def _items(instrument: Instrument) -> list[Found]:
    found = _unique_ids("items", "item", [item.id for item in instrument.items])
    if len(instrument.items) > MAX_ITEMS:
        found.append(("items", f"at most {MAX_ITEMS} items, has {len(instrument.items)}"))
    placed = {item_id for section in instrument.sections for item_id in section.items}
    for index, item in enumerate(instrument.items):
        found += _text(f"items[{index}].text", item.text)
        if item.response_set not in instrument.response_sets:
            found.append((f"items[{index}].response_set", f"no response set {item.response_set!r}"))
        if item.id not in placed:
            found.append((f"items[{index}]", f"item {item.id!r} is in no section"))
    return found


def _sections(instrument: Instrument) -> list[Found]:
    found = _unique_ids("sections", "section", [section.id for section in instrument.sections])
    items = {item.id: item for item in instrument.items}
    home: dict[str, str] = {}
    for index, section in enumerate(instrument.sections):
        path = f"sections[{index}]"
        found += _text(f"{path}.title", section.title)
        if not section.items:
            found.append((f"{path}.items", f"section {section.id!r} has no items"))
        for position, item_id in enumerate(section.items):
            item_path = f"{path}.items[{position}]"
            item = items.get(item_id)
            if item is None:
                found.append((item_path, f"no item {item_id!r}"))
                continue
            if item_id in home:
                found.append(
                    (item_path, f"item {item_id!r} is already in section {home[item_id]!r}")
                )
            home.setdefault(item_id, section.id)
            if section.module == "sensitive" and not item.sensitive:
                found.append(
                    (
                        item_path,
                        f"item {item_id!r} is in a sensitive module but not "
                        "marked sensitive = true",
                    )
                )
            if section.module is None and item.sensitive:
                found.append(
                    (
                        item_path,
                        f"item {item_id!r} is marked sensitive but section "
                        f"{section.id!r} is not a sensitive module",
                    )
                )
    return found


def _scales(instrument: Instrument) -> list[Found]:
    found = _unique_ids("scales", "scale", [scale.id for scale in instrument.scales])
    if len(instrument.scales) > MAX_SCALES:
        found.append(("scales", f"at most {MAX_SCALES} scales, has {len(instrument.scales)}"))
    for index, scale in enumerate(instrument.scales):
        found += _scale(instrument, f"scales[{index}]", scale)
    return found


def _scale(instrument: Instrument, path: str, scale: Scale) -> list[Found]:
    found = _text(f"{path}.title", scale.title)
    ranges = _item_ranges(instrument)
    if not scale.items:
        found.append((f"{path}.items", f"scale {scale.id!r} has no items"))
    usable: list[str] = []
    for position, item_id in enumerate(scale.items):
        if item_id not in ranges:
            if item_id not in {item.id for item in instrument.items}:
                found.append((f"{path}.items[{position}]", f"no item {item_id!r}"))
            continue
        if item_id in usable:
            found.append((f"{path}.items[{position}]", f"item {item_id!r} is listed twice"))
            continue
        if usable and ranges[item_id] != ranges[usable[0]]:
            low, high = ranges[item_id]
            first_low, first_high = ranges[usable[0]]
            found.append(
                (
                    f"{path}.items[{position}]",
                    f"item {item_id!r} ranges {low}..{high} but {usable[0]!r} ranges "
                    f"{first_low}..{first_high}; items of a scale must share one range",
                )
            )
            continue
        usable.append(item_id)
    for position, item_id in enumerate(scale.reverse):
        if item_id not in scale.items:
            found.append(
                (
                    f"{path}.reverse[{position}]",
                    f"reverse-coded item {item_id!r} is not one of the scale's items",
                )
            )
    if not 0 < scale.min_fraction <= 1:
        found.append(
            (f"{path}.min_fraction", f"must be above 0 and at most 1, got {scale.min_fraction}")
        )
    cuts = {"favorable_at": scale.favorable_at, "elevated_at": scale.elevated_at}
    given = {name: value for name, value in cuts.items() if value is not None}
    if len(given) != 1:
        has = "both" if given else "neither"
        found.append(
            (
                path,
                f"scale {scale.id!r} needs exactly one of favorable_at and elevated_at, has {has}",
            )
        )
    if usable and len(usable) == len(scale.items):
        bottom, top = _range(scale, ranges[usable[0]])
        for name, cut in given.items():
            if not bottom <= cut <= top:
                found.append(
                    (
                        f"{path}.{name}",
                        f"cut-point {cut:g} is outside the scale range {bottom:g}..{top:g}",
                    )
                )
    return found


def _range(scale: Scale, item: tuple[int, int]) -> tuple[float, float]:
    count = len(scale.items) if scale.scoring == "sum" else 1
    return float(item[0] * count), float(item[1] * count)


def _item_ranges(instrument: Instrument) -> dict[str, tuple[int, int]]:
    ranges: dict[str, tuple[int, int]] = {}
    for item in instrument.items:
        response_set = instrument.response_sets.get(item.response_set)
        if response_set is not None and response_set.options:
            values = [option.value for option in response_set.options]
            ranges.setdefault(item.id, (min(values), max(values)))
    return ranges


def _skip_rules(instrument: Instrument) -> list[Found]:
    found: list[Found] = []
    order: dict[str, int] = {}
    module: dict[str, bool] = {}
    for section in instrument.sections:
        for item_id in section.items:
            order.setdefault(item_id, len(order))
            module.setdefault(item_id, section.module == "sensitive")
    items = {item.id: item for item in instrument.items}
    ruled: dict[str, int] = {}
    for index, rule in enumerate(instrument.skip_rules):
        path = f"skip_rules[{index}]"
        if rule.item not in items:
            found.append((f"{path}.item", f"no item {rule.item!r}"))
        elif rule.item in ruled:
            found.append(
                (
                    f"{path}.item",
                    f"item {rule.item!r} already has a skip rule (skip_rules[{ruled[rule.item]}])",
                )
            )
        ruled.setdefault(rule.item, index)
        condition = items.get(rule.show_if)
        if condition is None:
            found.append((f"{path}.show_if", f"no item {rule.show_if!r}"))
            continue
        if rule.item in order and rule.show_if in order:
            if order[rule.show_if] >= order[rule.item]:
                found.append(
                    (f"{path}.show_if", f"item {rule.show_if!r} does not come before {rule.item!r}")
                )
            elif module[rule.show_if] and not module[rule.item]:
                found.append(
                    (
                        f"{path}.show_if",
                        f"item {rule.show_if!r} is in a sensitive "
                        f"module that may be off, {rule.item!r} is not",
                    )
                )
        if not rule.values:
            found.append((f"{path}.values", "must list at least one value"))
        response_set = instrument.response_sets.get(condition.response_set)
        if response_set is None:
            continue
        allowed = {option.value for option in response_set.options}
        for position, value in enumerate(rule.values):
            if value not in allowed:
                found.append(
                    (
                        f"{path}.values[{position}]",
                        f"item {rule.show_if!r} has no option with value {value}",
                    )
                )
    return found


def _demographics(instrument: Instrument) -> list[Found]:
    demographics = instrument.demographics
    found = _unique_ids("demographics", "demographic", [d.id for d in demographics])
    ids = {demographic.id for demographic in demographics}
    missing = [name for name in REQUIRED_DEMOGRAPHICS if name not in ids]
    if missing:
        found.append(("demographics", f"missing required demographic {_quote(missing)}"))
    others = sum(1 for demographic in demographics if demographic.id != "grade")
    if others > MAX_DEMOGRAPHICS:
        found.append(
            ("demographics", f"at most {MAX_DEMOGRAPHICS} demographics besides grade, has {others}")
        )
    for index, demographic in enumerate(demographics):
        path = f"demographics[{index}]"
        found += _text(f"{path}.text", demographic.text)
        options = demographic.options
        found += _option_values(f"{path}.options", [option.value for option in options])
        for position, option in enumerate(options):
            found += _text(f"{path}.options[{position}].label", option.label)
        prefer = sum(1 for option in options if option.prefer_not_to_say)
        if prefer != 1:
            found.append(
                (f"{path}.options", f"needs exactly one prefer_not_to_say option, has {prefer}")
            )
        if len(options) - prefer < 1:
            found.append((f"{path}.options", "needs at least one answer besides prefer not to say"))
        found += _combined(path, demographic)
        if demographic.id == "grade" and _band_ok(instrument.grade_band):
            grades = sorted(option.value for option in options if not option.prefer_not_to_say)
            low, high = instrument.grade_band
            if grades != list(range(low, high + 1)):
                found.append(
                    (
                        f"{path}.options",
                        f"grade options must be the grades {low}..{high} "
                        f"of the grade band, got {grades}",
                    )
                )
    return found


def _combined(path: str, demographic: Demographic) -> list[Found]:
    """Combined groups: answers of the question, two or more, each in one group at most."""
    found: list[Found] = []
    answers = {o.value for o in demographic.options if not o.prefer_not_to_say}
    opt_out = {o.value for o in demographic.options if o.prefer_not_to_say}
    # Where each member was first combined; None stands for not_reported.
    owner: dict[int | None, str] = {}
    for index, group in enumerate(demographic.combined):
        where = f"{path}.combined[{index}]"
        found += _text(f"{where}.label", group.label)
        members: list[tuple[int | None, str]] = []
        for position, value in enumerate(group.options):
            at = f"{where}.options[{position}]"
            if value in opt_out:
                found.append(
                    (
                        at,
                        f"value {value} is the prefer-not-to-say answer; "
                        "combine those who did not say with not_reported = true",
                    )
                )
            elif value not in answers:
                found.append((at, f"{demographic.id!r} has no answer with value {value}"))
            elif value in {m for m, _ in members}:
                found.append((at, f"value {value} is listed twice"))
            else:
                members.append((value, at))
        if group.not_reported:
            members.append((None, f"{where}.not_reported"))
        written = len(set(group.options)) + group.not_reported
        if written < 2:
            found.append(
                (where, "needs two or more groups to combine (answers, or not_reported = true)")
            )
        elif len(members) == len(answers) + 1:
            found.append((where, "combines every answer and not_reported: that is all students"))
        for member, at in members:
            name = "not_reported" if member is None else f"value {member}"
            if member in owner:
                found.append(
                    (
                        at,
                        f"{name} is already in {owner[member]} "
                        "(an answer may be in one combined group at most)",
                    )
                )
            owner.setdefault(member, where)
    return found
