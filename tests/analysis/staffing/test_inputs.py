import math
from typing import Any

import pytest

from analysis.staffing.inputs import NeedEstimate, SchoolYear


def test_need_estimate_accepts_an_interval_or_hidden() -> None:
    estimate = NeedEstimate(0.2, 0.1, 0.3)
    assert (estimate.share, estimate.low, estimate.high, estimate.hidden) == (0.2, 0.1, 0.3, False)
    assert NeedEstimate(hidden=True).share is None


@pytest.mark.parametrize(
    ("kwargs", "field", "error"),
    [
        ({"share": 0.2, "low": 0.1}, "high", ValueError),
        ({"share": 0.2, "low": 0.3, "high": 0.4}, "low", ValueError),
        ({"share": 0.2, "low": 0.1, "high": 0.15}, "high", ValueError),
        ({"share": 1.2, "low": 0.1, "high": 1.3}, "share", ValueError),
        ({"share": math.nan, "low": 0.1, "high": 0.3}, "share", ValueError),
        ({"share": "0.2", "low": 0.1, "high": 0.3}, "share", TypeError),
        ({"share": 0.2, "hidden": True}, "share", ValueError),
        ({"hidden": 1}, "hidden", TypeError),
    ],
)
def test_need_estimate_rejects_bad_input(
    kwargs: dict[str, Any], field: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match=rf"^{field}"):
        NeedEstimate(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field", "error"),
    [
        ({"enrollment": -1}, "enrollment", ValueError),
        ({"enrollment": 10.5}, "enrollment", TypeError),
        ({"year": "2024"}, "year", TypeError),
        ({"school_id": ""}, "school_id", TypeError),
        ({"fte": {"nurse": 1.0}}, "fte", ValueError),
        ({"fte": {"counselor": -0.5}}, "fte", ValueError),
        ({"fte": {"counselor": math.inf}}, "fte", ValueError),
        ({"need": {"mood": NeedEstimate(hidden=True)}}, "need", ValueError),
        ({"need": {"elevated_distress": 0.2}}, "need", TypeError),
    ],
)
def test_school_year_rejects_bad_input(
    kwargs: dict[str, Any], field: str, error: type[Exception]
) -> None:
    base: dict[str, Any] = {"school_id": "S", "year": 2024, "enrollment": 100}
    with pytest.raises(error, match=rf"^{field}"):
        SchoolYear(**{**base, **kwargs})


def test_missing_role_counts_as_zero_fte() -> None:
    school = SchoolYear("S", 2024, 100, {"counselor": 0.5})
    assert school.current_fte("counselor") == 0.5
    assert school.current_fte("social_worker") == 0.0
