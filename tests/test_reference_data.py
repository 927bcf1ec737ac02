"""The lookup of reference data sets that statistical tests compare against."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA


def test_a_missing_file_is_a_skip_on_a_developer_machine(
    shared_data: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=re.escape(str(SHARED_DATA / "absent.csv"))):
        shared_data("absent.csv")


def test_a_missing_file_fails_in_ci(
    shared_data: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=re.escape(str(SHARED_DATA / "absent.csv"))):
        shared_data("absent.csv")
