"""Reliability flags beside published values come from the published numbers alone."""

from __future__ import annotations

import pytest

from climate.release.result import Statistic
from climate.reports.published import rse_flag


def _row(value: str, low: str, high: str) -> Statistic:
    return Statistic(
        "r", 2026, "school", "A", "A", "all", "all", "mood", "percent", value, low, high, "40-99"
    )


@pytest.mark.parametrize(
    ("value", "low", "high", "flag"),
    [
        # se = width / (2 x 1.96): rse 16 / 3.92 / 20 = 0.204, 18 / 3.92 / 10 = 0.459,
        # 15 / 3.92 / 5 = 0.765; CDC YRBS: caution from 0.30, unreliable above 0.50.
        ("20", "12", "28", ""),
        ("10", "2", "20", "caution"),
        ("5", "0", "15", "unreliable"),
        ("0", "0", "9", ""),
        ("*", "*", "*", ""),
        ("<=10", "*", "*", ""),
    ],
)
def test_rse_flag_reads_the_published_interval(value: str, low: str, high: str, flag: str) -> None:
    assert rse_flag(_row(value, low, high)) == flag
