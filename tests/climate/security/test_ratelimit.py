"""In-memory rate limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from climate.errors import RateLimited
from climate.security.ratelimit import CODE_ENTRY, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_class_of_35_behind_one_address_gets_in_within_a_minute() -> None:
    limiter = RateLimiter(*CODE_ENTRY)
    for _ in range(35):
        limiter.hit("203.0.113.7")


def test_over_the_limit_is_refused_until_the_window_passes() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60.0, clock=clock)
    for _ in range(3):
        limiter.hit("a")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("a")
    assert 1 <= refused.value.retry_after <= 60
    limiter.hit("b")  # other keys are counted apart
    clock.now = 61.0
    limiter.hit("a")


def test_keys_are_not_kept_in_the_clear() -> None:
    limiter = RateLimiter(5, 60.0)
    limiter.hit("198.51.100.23")
    assert b"198.51.100.23" not in b"".join(limiter._counts)


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        RateLimiter(0, 60.0)


@given(st.lists(st.sampled_from("abc"), max_size=60), st.integers(1, 10))
def test_no_key_gets_more_than_the_limit_in_one_window(keys: list[str], limit: int) -> None:
    limiter = RateLimiter(limit, 60.0, clock=Clock())
    allowed: dict[str, int] = {}
    for key in keys:
        try:
            limiter.hit(key)
        except RateLimited:
            continue
        allowed[key] = allowed.get(key, 0) + 1
    assert all(count <= limit for count in allowed.values())
    assert all(allowed.get(k, 0) == min(limit, keys.count(k)) for k in set(keys))
