"""The `climate surveys check` command, called through its parser as the CLI does."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from climate.commands import surveys
from climate.instruments import SHIPPED_DIRECTORY
from tests.climate.instruments.broken import BROKEN, VALID, BrokenFile


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="climate")
    surveys.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    result: int = args.func(args)
    return result


def test_no_paths_checks_the_shipped_instruments(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("surveys", "check") == 0
    out = capsys.readouterr().out
    assert out == (
        f"ok: {SHIPPED_DIRECTORY / 'elementary.toml'} (elementary 1.0, 25 items, 8 scales)\n"
        f"ok: {SHIPPED_DIRECTORY / 'secondary.toml'} (secondary 1.1, 51 items, 8 scales)\n"
    )


def test_a_good_file_prints_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("surveys", "check", str(VALID)) == 0
    assert capsys.readouterr().out == f"ok: {VALID} (tiny 1.0, 7 items, 2 scales)\n"


def test_each_broken_file_prints_its_problem_and_fails(
    broken: BrokenFile, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("surveys", "check", str(broken.path)) == 1
    assert capsys.readouterr().out == broken.expected + "\n"


def test_good_and_bad_files_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = next(case for case in BROKEN if case.name == "bad_version").write(tmp_path)
    assert _run("surveys", "check", str(VALID), str(bad.path)) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"ok: {VALID} (tiny 1.0, 7 items, 2 scales)",
        f"{bad.path}:3: version: 'v1' is not a dotted version string such as 1.0 or 2.1.3",
    ]


def test_a_directory_with_no_instruments_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("surveys", "check", str(tmp_path)) == 1
    assert capsys.readouterr().out == f"no instrument files in {tmp_path}\n"


def test_surveys_without_an_action_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("surveys") == 2
    assert "check" in capsys.readouterr().out
