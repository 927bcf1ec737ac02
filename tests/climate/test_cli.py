"""The ``climate`` command: a bad setting is reported by name, never with a traceback."""

from __future__ import annotations

import pytest

from climate.cli import main


def test_a_bad_setting_is_named_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    monkeypatch.setenv("CLIMATE_SUPPRESSION_K", "ten")
    assert main(["db", "current"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("climate: CLIMATE_SUPPRESSION_K must be an integer")
    assert "Traceback" not in err
