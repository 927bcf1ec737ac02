"""Deeply nested instrument files are refused by line or field path, never with a crash."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from climate.commands import surveys
from climate.instruments.nesting import MAX_DEPTH, deep_line, deep_path
from tests.climate.instruments.broken import VALID

DEEP = 5000  # far past Python's recursion limit of 1000
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"

# (name, text, what `climate surveys check` prints after the file's name)
NESTED = [
    ("arrays", "a = " + "[" * DEEP + "]" * DEEP + "\n", f":1: {TOO_DEEP}"),
    ("inline tables", "a = " + "{ b = " * DEEP + "1" + " }" * DEEP + "\n", f":1: {TOO_DEEP}"),
    (
        "arrays in a field, below line 1",
        VALID.read_text("utf-8").replace("grade_band = [", "grade_band = [" + "[" * 900, 1),
        f":6: {TOO_DEEP}",
    ),
    ("a dotted table name", "[" + ".".join(["a"] * 100_000) + "]\nb = 1\n", f":1: {TOO_DEEP}"),
    ("a dotted key", 'id = "x"\n' + ".".join(["k"] * DEEP) + " = 1\n", f":2: {TOO_DEEP}"),
    (
        "a dotted key holding inline tables",
        ".".join(["k"] * 15) + " = " + "{ a = " * 15 + "1" + " }" * 15 + "\n",
        f": {'.'.join(['k'] * 15)}.a.a: {TOO_DEEP}",
    ),
    (
        "just past the limit",
        "a = " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
        f":1: {TOO_DEEP}",
    ),
]


def _check(path: Path) -> int:
    parser = argparse.ArgumentParser(prog="climate")
    surveys.register(parser.add_subparsers())
    args = parser.parse_args(["surveys", "check", str(path)])
    result: int = args.func(args)
    return result


@pytest.mark.parametrize(("name", "text", "printed"), NESTED, ids=[n[0] for n in NESTED])
def test_a_deeply_nested_file_is_refused_by_line(
    name: str, text: str, printed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(text, "utf-8")
    assert _check(path) == 1
    assert capsys.readouterr().out == f"{path}{printed}\n"


def test_brackets_and_dots_in_strings_and_comments_are_not_nesting(tmp_path: Path) -> None:
    text = VALID.read_text("utf-8")
    noise = "[" * 50 + "{" * 50 + "." * 50
    text = text.replace('\ntitle = "', f'\n# {noise}\ntitle = "{noise} ', 1)
    text += f"# {noise}\n"
    path = tmp_path / "noisy.toml"
    path.write_text(text, "utf-8")
    assert deep_line(text) is None
    assert _check(path) == 0


def test_the_limit_leaves_room_for_instruments() -> None:
    fine = "a = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert deep_line(fine) is None
    assert deep_line(fine.replace("a = [", "a = [[", 1).replace("]\n", "]]\n")) == 1


def test_deep_path_names_where_a_decoded_value_goes_too_deep() -> None:
    value: dict[str, object] = {"ok": [1, 2]}
    node = value
    for _ in range(MAX_DEPTH + 3):
        node["k"] = {}
        node = node["k"]  # type: ignore[assignment]
    assert deep_path(value) == ".".join(["k"] * (MAX_DEPTH + 1))
    assert deep_path({"items": [{"id": "a"}]}) is None
