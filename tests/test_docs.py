"""The README documents every setting and every command, so docs cannot drift."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

from climate.cli import build_parser
from climate.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    names = [f.name for f in dataclasses.fields(Settings)]
    missing = [n for n in names if f"`CLIMATE_{n.upper()}`" not in README]
    assert missing == []


def test_every_documented_setting_exists() -> None:
    found = re.findall(r"`CLIMATE_([A-Z_]+)`", README)
    documented = {name for name in found if not name.startswith("TEST_")}
    assert documented == {f.name.upper() for f in dataclasses.fields(Settings)}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {
        name: sub
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name, sub in action.choices.items()
    }


def _commands() -> list[str]:
    found: list[str] = []
    for name, sub in _subcommands(build_parser()).items():
        nested = _subcommands(sub)
        found += [f"climate {name} {child}" for child in nested] if nested else [f"climate {name}"]
    return found


def test_every_command_is_documented() -> None:
    commands = _commands()
    assert "climate db upgrade" in commands
    missing = [c for c in commands if f"`{c}" not in README]
    assert missing == []


def test_quick_start_is_the_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    lines = [
        ln.split("#")[0].strip() for ln in quick.split("```sh", 1)[1].split("```")[0].splitlines()
    ]
    assert [ln for ln in lines if ln] == ["make demo", "make test"]
