"""Tests for analysis.columns."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.columns import labels, numbers


def test_labels_keep_each_value_as_given() -> None:
    # Converting before choosing a dtype would make 1 the text "1" and a tuple two columns.
    got = labels({"school": [1, "a", (2, "b")]}, "school").tolist()
    assert got == [1, "a", (2, "b")]


def test_a_missing_column_is_named_with_a_near_name() -> None:
    with pytest.raises(ValueError, match="no column 'api0'; did you mean 'api00'"):
        numbers({"api00": np.array([1.0])}, "api0")


def test_text_is_not_read_as_numbers() -> None:
    with pytest.raises(ValueError, match="column 'y' must hold numbers"):
        numbers({"y": ["a", "b"]}, "y")
