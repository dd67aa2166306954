"""@trove.cached: results are memoized by function and arguments, pickled, with a TTL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

import trove


@dataclass(frozen=True)
class Point:
    x: int
    y: int


def test_a_second_call_with_the_same_arguments_is_a_hit(cache: trove.Cache) -> None:
    calls: list[tuple[object, ...]] = []

    @trove.cached(cache)
    def area(width: int, height: int, *, unit: str = "m") -> dict[str, object]:
        calls.append((width, height, unit))
        return {"area": width * height, "unit": unit}

    assert area(2, 3) == {"area": 6, "unit": "m"}
    assert area(2, 3) == {"area": 6, "unit": "m"}
    assert area(3, 2) == {"area": 6, "unit": "m"}
    assert area(2, 3, unit="cm") == {"area": 6, "unit": "cm"}
    assert calls == [(2, 3, "m"), (3, 2, "m"), (2, 3, "cm")]
    assert vars(area)["__wrapped__"].__name__ == "area"  # functools.wraps


def test_a_hit_returns_a_copy_of_the_result(cache: trove.Cache) -> None:
    @trove.cached(cache)
    def fresh_list() -> list[int]:
        return [1, 2]

    first = fresh_list()
    first.append(3)
    assert fresh_list() == [1, 2]


def test_keyword_order_does_not_matter_but_types_do(cache: trove.Cache) -> None:
    @trove.cached(cache)
    def echo(*args: object, **kwargs: object) -> tuple[object, ...]:
        return (args, kwargs)

    assert echo.cache_key(a=1, b=2) == echo.cache_key(b=2, a=1)
    assert echo.cache_key(1) != echo.cache_key(1.0)
    assert echo.cache_key(Point(1, 2)) == echo.cache_key(Point(1, 2))
    assert echo.cache_key("x").startswith(echo.cache_prefix)
    assert len(echo.cache_key("x" * 100_000)) == len(echo.cache_key("x"))


def test_unhashable_arguments_are_a_type_error(cache: trove.Cache) -> None:
    @trove.cached(cache)
    def total(values: object) -> int:
        return 0

    with pytest.raises(TypeError):
        total([1, 2])
    with pytest.raises(TypeError):
        total(values={"a": 1})


def test_none_results_are_cached(cache: trove.Cache) -> None:
    calls = []

    @trove.cached(cache)
    def nothing(key: str) -> None:
        calls.append(key)

    assert nothing("a") is None and nothing("a") is None
    assert calls == ["a"]


def test_ttl_expires_results(cache: trove.Cache, advance_clock: Callable[[float], None]) -> None:
    calls = []

    @trove.cached(cache, ttl=30)
    def now(key: str) -> int:
        calls.append(key)
        return len(calls)

    assert now("a") == 1 and now("a") == 1
    advance_clock(29)  # the test clock, not a sleep: a second of real time to spare
    assert now("a") == 1
    advance_clock(1)
    assert now("a") == 2


def test_functions_do_not_share_entries_and_clear_their_own(cache: trove.Cache) -> None:
    @trove.cached(cache)
    def double(value: int) -> int:
        return value * 2

    @trove.cached(cache)
    def triple(value: int) -> int:
        return value * 3

    assert double(5) == 10 and triple(5) == 15
    assert double.cache_clear() == 1
    assert cache.get(triple.cache_key(5)) is not None
    assert cache.get(double.cache_key(5)) is None


def test_a_result_too_large_to_cache_is_still_returned(cache: trove.Cache) -> None:
    calls = []

    @trove.cached(cache)
    def huge() -> bytes:
        calls.append(1)
        return b"x" * (1 << 20)

    assert len(huge()) == 1 << 20 and len(huge()) == 1 << 20
    assert len(calls) == 2


def test_exceptions_are_not_cached(cache: trove.Cache) -> None:
    calls = []

    @trove.cached(cache)
    def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return 7

    with pytest.raises(RuntimeError):
        flaky()
    assert flaky() == 7 and flaky() == 7 and len(calls) == 2


def test_the_key_is_the_same_in_another_process(cache: trove.Cache) -> None:
    def quote(sku: str, options: frozenset[str]) -> float:
        return 0.0

    program = (
        "import trove\n"
        "with trove.Cache(capacity_bytes=1 << 20) as cache:\n"
        "    quote = trove.cached(cache, name='pricing.quote')(lambda sku, options: 0.0)\n"
        "    print(quote.cache_key('A-1', frozenset({'gift'})).decode())\n"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, env=environment)
    here = trove.cached(cache, name="pricing.quote")(quote).cache_key("A-1", frozenset({"gift"}))
    assert here == other.stdout.strip().encode()
    assert here.startswith(b"trove.cached:pricing.quote:")
