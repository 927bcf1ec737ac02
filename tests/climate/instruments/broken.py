"""The valid test instrument broken one way at a time, and what `climate surveys check` says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from climate.instruments import MAX_ITEMS

VALID = Path(__file__).resolve().parent / "fixtures" / "instruments" / "valid.toml"


@dataclass(frozen=True)
class Broken:
    """Edits of valid.toml, each (old, new) with old found once, and the one line printed."""

    name: str
    edits: tuple[tuple[str, str], ...]
    printed: str  # as `climate surveys check` prints it, with {file} for the file's path

    def text(self) -> str:
        """valid.toml with the edits made in order."""
        text = VALID.read_text("utf-8")
        for old, new in self.edits:
            # An edit that no longer matches would test the valid file, or the wrong place.
            if text.count(old) != 1:
                raise ValueError(f"{self.name}: {old!r} occurs {text.count(old)} times, not once")
            text = text.replace(old, new)
        return text

    def write(self, directory: Path) -> BrokenFile:
        """Write the broken file as <name>.toml in directory."""
        path = directory / f"{self.name}.toml"
        path.write_text(self.text(), "utf-8")
        return BrokenFile(path, self.printed.replace("{file}", str(path)))


class BrokenFile(NamedTuple):
    """A broken instrument on disk and the line the check prints for it."""

    path: Path
    expected: str


def _after(anchor: str, added: str) -> tuple[str, str]:
    return anchor, anchor + added


def _drop(text: str) -> tuple[str, str]:
    return text, ""


_OPT_OUT = '  { value = 99, label = "Prefer not to say", prefer_not_to_say = true },\n'
_PEERS = 'items = ["teased", "excluded", "told"]'
_SKIP_RULE = '\n[[skip_rules]]\nitem = "told"\nshow_if = "teased"\nvalues = [1, 2]\n'
_HOME_LANGUAGE = (
    '\n[[demographics]]\nid = "home_language"\ntext = "Language at home?"\noptions = [\n'
    '  { value = 1, label = "English" },\n  { value = 2, label = "Spanish" },\n' + _OPT_OUT + "]\n"
)
_GRADES = '  { value = 8, label = "8" },\n' + _OPT_OUT + "]\n"
_GENDERS = '  { value = 2, label = "Boy" },\n' + _OPT_OUT + "]\n"


def _combined(anchor: str, *groups: str) -> tuple[str, str]:
    return _after(anchor, "combined = [\n" + "".join(f"  {g},\n" for g in groups) + "]\n")


_PRIVATE = (
    '[[sections]]\nid = "private"\ntitle = "Harder questions"\nitems = ["hurt"]\n'
    'module = "sensitive"\n\n'
)
_EXTRA = [f"extra_{n:02}" for n in range(74)]  # 81 items with the 7 of valid.toml

# Line numbers are those of the edited file: an insertion moves everything below it.
BROKEN = (
    # Decoding: syntax, types, unknown and missing fields.
    Broken(
        "syntax_error",
        (('title = "School"\n', 'title = "School\n'),),
        "{file}:70: not valid TOML: Illegal character '\\n'",
    ),
    Broken(
        "wrong_type",
        (('version = "1.0"', "version = 1.0"),),
        "{file}:3: version: expected str, got float",
    ),
    Broken(
        "unknown_field",
        (_after('text = "I feel like an outsider."\n', "weight = 2\n"),),
        "{file}:40: items[1].weight: unknown field",
    ),
    Broken(
        "missing_licence",
        (_drop('\n[licence]\nname = "CC-BY-4.0"\nattribution = "the climate project"\n'),),
        "{file}: licence: required field is missing",
    ),
    Broken(
        "option_label_missing",
        (('{ value = 0, label = "Never" }', "{ value = 0 }"),),
        # msgspec says `[...]` for a dict value; the response set's key is put back.
        "{file}:21: response_sets.often.options[0].label: required field is missing",
    ),
    # Header fields.
    Broken(
        "empty_attribution",
        (('attribution = "the climate project"', 'attribution = " "'),),
        "{file}:10: licence.attribution: must not be empty",
    ),
    Broken(
        "bad_version",
        (('version = "1.0"', 'version = "v1"'),),
        "{file}:3: version: 'v1' is not a dotted version string such as 1.0 or 2.1.3",
    ),
    Broken(
        "bad_grade_band",
        (("grade_band = [6, 8]", "grade_band = [2, 8]"),),
        "{file}:6: grade_band: must be two grades [low, high] with 3 <= low <= high <= 12, "
        "got [2, 8]",
    ),
    Broken(
        "bad_id",
        (('id = "peers"', 'id = "Peers"'),),
        "{file}:74: sections[1].id: 'Peers' is not an id (lowercase letters, digits and _, "
        "a letter first, at most 40 characters)",
    ),
    # Ids, options and response sets.
    Broken(
        "duplicate_item_id",
        (
            ('id = "safe"', 'id = "belong"'),
            ('items = ["belong", "outsider", "safe"]', 'items = ["belong", "outsider"]'),
        ),
        "{file}:43: items[2].id: duplicate item id 'belong' (first at items[0])",
    ),
    Broken(
        "duplicate_section_id",
        (('id = "peers"', 'id = "school"'),),
        "{file}:74: sections[1].id: duplicate section id 'school' (first at sections[0])",
    ),
    Broken(
        "duplicate_scale_id",
        (('id = "bullying"', 'id = "belonging"'),),
        "{file}:92: scales[1].id: duplicate scale id 'belonging' (first at scales[0])",
    ),
    Broken(
        "duplicate_demographic_id",
        (
            _after(
                '  { value = 2, label = "B" },\n' + _OPT_OUT + "]\n",
                '\n[[demographics]]\nid = "gender"\ntext = "Gender again?"\noptions = [\n'
                '  { value = 1, label = "Girl" },\n' + _OPT_OUT + "]\n",
            ),
        ),
        "{file}:132: demographics[3].id: duplicate demographic id 'gender' (first at "
        "demographics[1])",
    ),
    Broken(
        "duplicate_option_value",
        (('{ value = 2, label = "Not sure" }', '{ value = 1, label = "Not sure" }'),),
        "{file}:15: response_sets.agree.options[1].value: duplicate option value 1",
    ),
    Broken(
        "response_set_one_option",
        (_drop('  { value = 0, label = "No" },\n'),),
        "{file}:27: response_sets.yes_no.options: needs at least 2 options, has 1",
    ),
    Broken(
        "response_set_missing",
        (('"I feel safe."\nresponse_set = "agree"', '"I feel safe."\nresponse_set = "agreement"'),),
        "{file}:45: items[2].response_set: no response set 'agreement'",
    ),
    Broken(
        "option_value_range",
        (('{ value = 2, label = "Spanish" }', '{ value = 100, label = "Spanish" }'),),
        "{file}:136: demographics[3].options[1].value: value 100 is outside 0..99",
    ),
    Broken(
        "empty_text",
        (('text = "I feel safe."', 'text = ""'),),
        "{file}:44: items[2].text: must not be empty",
    ),
    # Scales.
    Broken(
        "scale_missing_item",
        (('items = ["teased", "excluded"]', 'items = ["teased", "excluded", "shoved"]'),),
        "{file}:94: scales[1].items[2]: no item 'shoved'",
    ),
    Broken(
        "scale_item_twice",
        (('items = ["teased", "excluded"]', 'items = ["teased", "excluded", "teased"]'),),
        "{file}:94: scales[1].items[2]: item 'teased' is listed twice",
    ),
    Broken(
        "scale_no_items",
        (('items = ["belong", "outsider"]\nreverse = ["outsider"]', "items = []"),),
        "{file}:87: scales[0].items: scale 'belonging' has no items",
    ),
    Broken(
        "reverse_outside_scale",
        (('reverse = ["outsider"]', 'reverse = ["outsider", "safe"]'),),
        "{file}:88: scales[0].reverse[1]: reverse-coded item 'safe' is not one of the scale's "
        "items",
    ),
    Broken(
        "scale_mixed_ranges",
        (('items = ["belong", "outsider"]\n', 'items = ["belong", "outsider", "teased"]\n'),),
        "{file}:87: scales[0].items[2]: item 'teased' ranges 0..2 but 'belong' ranges 1..3; "
        "items of a scale must share one range",
    ),
    Broken(
        "min_fraction_zero",
        (_after('scoring = "sum"\n', "min_fraction = 0.0\n"),),
        "{file}:96: scales[1].min_fraction: must be above 0 and at most 1, got 0.0",
    ),
    Broken(
        "cut_point_range",
        (("favorable_at = 2.5", "favorable_at = 3.5"),),
        "{file}:89: scales[0].favorable_at: cut-point 3.5 is outside the scale range 1..3",
    ),
    Broken(
        "cut_point_both",
        (_after("favorable_at = 2.5\n", "elevated_at = 1.5\n"),),
        "{file}:84: scales[0]: scale 'belonging' needs exactly one of favorable_at and "
        "elevated_at, has both",
    ),
    Broken(
        "cut_point_neither",
        (_drop("elevated_at = 1.0\n"),),
        "{file}:91: scales[1]: scale 'bullying' needs exactly one of favorable_at and "
        "elevated_at, has neither",
    ),
    # Skip rules.
    Broken(
        "skip_rule_later",
        (
            (
                'item = "told"\nshow_if = "teased"\nvalues = [1, 2]',
                'item = "teased"\nshow_if = "told"\nvalues = [1]',
            ),
        ),
        "{file}:100: skip_rules[0].show_if: item 'told' does not come before 'teased'",
    ),
    Broken(
        "skip_rule_missing",
        (('show_if = "teased"', 'show_if = "bullied"'),),
        "{file}:100: skip_rules[0].show_if: no item 'bullied'",
    ),
    Broken(
        "skip_rule_item_missing",
        (('item = "told"', 'item = "shouted"'),),
        "{file}:99: skip_rules[0].item: no item 'shouted'",
    ),
    Broken(
        "skip_rule_value",
        (("values = [1, 2]", "values = [1, 3]"),),
        "{file}:101: skip_rules[0].values[1]: item 'teased' has no option with value 3",
    ),
    Broken(
        "skip_rule_no_values",
        (("values = [1, 2]", "values = []"),),
        "{file}:101: skip_rules[0].values: must list at least one value",
    ),
    Broken(
        "skip_rule_twice",
        (_after("values = [1, 2]\n", _SKIP_RULE.replace("[1, 2]", "[2]")),),
        "{file}:104: skip_rules[1].item: item 'told' already has a skip rule (skip_rules[0])",
    ),
    Broken(
        "skip_rule_on_optional_module",
        (
            _drop(_PRIVATE),
            ('[[sections]]\nid = "school"', _PRIVATE + '[[sections]]\nid = "school"'),
            ('show_if = "teased"\nvalues = [1, 2]', 'show_if = "hurt"\nvalues = [1]'),
        ),
        "{file}:100: skip_rules[0].show_if: item 'hurt' is in a sensitive module that may be "
        "off, 'told' is not",
    ),
    # Sections and the sensitive module.
    Broken(
        "empty_section",
        (_after(_PEERS + "\n", '\n[[sections]]\nid = "extra"\ntitle = "Extra"\nitems = []\n'),),
        "{file}:81: sections[2].items: section 'extra' has no items",
    ),
    Broken(
        "item_in_no_section",
        ((_PEERS, 'items = ["teased", "excluded"]'), _drop(_SKIP_RULE)),
        "{file}:57: items[5]: item 'told' is in no section",
    ),
    Broken(
        "item_in_two_sections",
        ((_PEERS, 'items = ["teased", "excluded", "told", "safe"]'),),
        "{file}:76: sections[1].items[3]: item 'safe' is already in section 'school'",
    ),
    Broken(
        "section_missing_item",
        (
            (
                'items = ["belong", "outsider", "safe"]',
                'items = ["belong", "outsider", "safe", "proud"]',
            ),
        ),
        "{file}:71: sections[0].items[3]: no item 'proud'",
    ),
    Broken(
        "sensitive_not_marked",
        (
            (_PEERS, 'items = ["teased", "excluded"]'),
            ('items = ["hurt"]', 'items = ["hurt", "told"]'),
            _drop(_SKIP_RULE),
        ),
        "{file}:81: sections[2].items[1]: item 'told' is in a sensitive module but not marked "
        "sensitive = true",
    ),
    Broken(
        "sensitive_outside_module",
        (
            (_PEERS, 'items = ["teased", "excluded", "told", "worry"]'),
            _after(
                "sensitive = true\n",
                '\n[[items]]\nid = "worry"\ntext = "Worried?"\nresponse_set = "yes_no"\n'
                "sensitive = true\n",
            ),
        ),
        "{file}:82: sections[1].items[3]: item 'worry' is marked sensitive but section 'peers' "
        "is not a sensitive module",
    ),
    # Demographics.
    Broken(
        "grade_options",
        (_drop('  { value = 8, label = "8" },\n'),),
        "{file}:106: demographics[0].options: grade options must be the grades 6..8 of the "
        "grade band, got [6, 7]",
    ),
    Broken(
        "prefer_not_to_say",
        (('  { value = 2, label = "Boy" },\n' + _OPT_OUT, '  { value = 2, label = "Boy" },\n'),),
        "{file}:116: demographics[1].options: needs exactly one prefer_not_to_say option, has 0",
    ),
    Broken(
        "prefer_not_to_say_only",
        (_drop('  { value = 1, label = "Girl" },\n  { value = 2, label = "Boy" },\n'),),
        "{file}:116: demographics[1].options: needs at least one answer besides prefer not to say",
    ),
    Broken(
        "combined_unknown_answer",
        (_combined(_GRADES, '{ options = [7, 9], label = "7 and 9" }'),),
        "{file}:113: demographics[0].combined[0].options[1]: 'grade' has no answer with value 9",
    ),
    Broken(
        "combined_prefer_not_to_say",
        (_combined(_GENDERS, '{ options = [2, 99], label = "Boy or not said" }'),),
        "{file}:122: demographics[1].combined[0].options[1]: value 99 is the prefer-not-to-say "
        "answer; combine those who did not say with not_reported = true",
    ),
    Broken(
        "combined_listed_twice",
        (_combined(_GRADES, '{ options = [7, 8, 7], label = "7 and 8" }'),),
        "{file}:113: demographics[0].combined[0].options[2]: value 7 is listed twice",
    ),
    Broken(
        "combined_one_group",
        (_combined(_GRADES, '{ options = [8], label = "8" }'),),
        "{file}:113: demographics[0].combined[0]: needs two or more groups to combine "
        "(answers, or not_reported = true)",
    ),
    Broken(
        "combined_everyone",
        (_combined(_GENDERS, '{ options = [1, 2], not_reported = true, label = "All" }'),),
        "{file}:122: demographics[1].combined[0]: combines every answer and not_reported: "
        "that is all students",
    ),
    Broken(
        "combined_overlap",
        (
            _combined(
                _GRADES,
                '{ options = [6, 7], label = "6 and 7" }',
                '{ options = [7, 8], label = "7 and 8" }',
            ),
        ),
        "{file}:114: demographics[0].combined[1].options[0]: value 7 is already in "
        "demographics[0].combined[0] (an answer may be in one combined group at most)",
    ),
    Broken(
        "combined_not_reported_twice",
        (
            _combined(
                _GRADES,
                '{ options = [6], not_reported = true, label = "6 or not said" }',
                '{ options = [8], not_reported = true, label = "8 or not said" }',
            ),
        ),
        "{file}:114: demographics[0].combined[1].not_reported: not_reported is already in "
        "demographics[0].combined[0] (an answer may be in one combined group at most)",
    ),
    Broken(
        "combined_empty_label",
        (_combined(_GRADES, '{ options = [7, 8], label = " " }'),),
        "{file}:113: demographics[0].combined[0].label: must not be empty",
    ),
    Broken(
        "combined_unknown_field",
        (_combined(_GRADES, '{ options = [7, 8], label = "7 and 8", name = "7+8" }'),),
        "{file}:113: demographics[0].combined[0].name: unknown field",
    ),
    Broken(
        "missing_demographic",
        (_drop(_HOME_LANGUAGE),),
        "{file}:103: demographics: missing required demographic 'home_language'",
    ),
    # Storage limits.
    Broken(
        "too_many_items",
        (
            _after(
                "sensitive = true\n\n",
                "".join(
                    f'[[items]]\nid = "{item}"\ntext = "Item {item}."\nresponse_set = "agree"\n\n'
                    for item in _EXTRA
                ),
            ),
            _after('"outsider", "safe"', "".join(f', "{item}"' for item in _EXTRA)),
        ),
        f"{{file}}:32: items: at most {MAX_ITEMS} items, has 81",
    ),
    Broken(
        "too_many_scales",
        (
            _after(
                "elevated_at = 1.0\n",
                "".join(
                    f'\n[[scales]]\nid = "extra_{n:02}"\ntitle = "Extra {n}"\n'
                    'items = ["belong", "safe"]\nfavorable_at = 2.0\n'
                    for n in range(15)
                ),
            ),
        ),
        "{file}:84: scales: at most 16 scales, has 17",
    ),
    Broken(
        "too_many_demographics",
        (
            _after(
                '  { value = 2, label = "Spanish" },\n' + _OPT_OUT + "]\n",
                "".join(
                    f'\n[[demographics]]\nid = "extra_{n:02}"\ntext = "Extra {n}?"\noptions = [\n'
                    '  { value = 1, label = "Yes" },\n' + _OPT_OUT + "]\n"
                    for n in range(8)
                ),
            ),
        ),
        "{file}:103: demographics: at most 10 demographics besides grade, has 11",
    ),
)
