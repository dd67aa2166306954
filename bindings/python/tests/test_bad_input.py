"""Bad input raises a Python exception (never crashes the interpreter), for both implementations."""

from __future__ import annotations

import math

import pytest

import trove
from trove.cache import CacheMethods

NOT_KEYS = [None, 42, 4.2, ["list"], ("tuple",), object()]


@pytest.mark.parametrize("key", NOT_KEYS)
def test_a_key_of_the_wrong_type_is_a_type_error(cache: trove.Cache, key: object) -> None:
    for call in (cache.get, cache.delete, cache.contains, cache.__getitem__, cache.__delitem__):
        with pytest.raises(TypeError):
            call(key)  # type: ignore[operator]
    with pytest.raises(TypeError):
        cache.put(key, b"v")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cache[key] = b"v"  # type: ignore[index]
    with pytest.raises(TypeError):
        _ = key in cache
    with pytest.raises(TypeError):
        cache.get_many(["ok", key])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        cache.invalidate_prefix(key)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cache.invalidate_glob(key)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, "text", 42, ["list"], object()])
def test_a_value_of_the_wrong_type_is_a_type_error(cache: trove.Cache, value: object) -> None:
    with pytest.raises(TypeError):
        cache.put("k", value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cache["k"] = value  # type: ignore[assignment]
    assert cache.get("k") is None


def test_an_empty_key_is_invalid(cache: trove.Cache) -> None:
    with pytest.raises(trove.InvalidArgument) as raised:
        cache.put(b"", b"v")
    assert raised.value.code == -1 and isinstance(raised.value, ValueError)
    with pytest.raises(trove.InvalidArgument):
        cache.get("")


@pytest.mark.parametrize("length", [1025, 10 * 1024, 1 << 20])
def test_a_huge_key_is_too_big(cache: trove.Cache, length: int) -> None:
    key = b"k" * length
    for call in (cache.get, cache.delete, cache.contains):
        with pytest.raises(trove.TooBig) as raised:
            call(key)
        assert raised.value.code == -2
    with pytest.raises(trove.TooBig):
        cache.put(key, b"v")
    with pytest.raises(trove.TooBig):
        cache.get_many([b"fine", key])


def test_the_longest_key_is_fine(cache: trove.Cache) -> None:
    cache.put(b"k" * 1024, b"v")
    assert cache.get(b"k" * 1024) == b"v"


def test_a_value_larger_than_a_segment_is_too_big(cache: trove.Cache) -> None:
    with pytest.raises(trove.TooBig) as raised:
        cache.put("k", b"v" * (cache.stats().segment_size + 1))
    assert "too big" in str(raised.value)
    assert cache.get("k") is None


@pytest.mark.parametrize("ttl", [0, -1, -0.5, math.nan, math.inf])
def test_a_ttl_that_is_not_positive_and_finite_is_a_value_error(cache: trove.Cache, ttl: float) -> None:
    with pytest.raises(ValueError):
        cache.put("k", b"v", ttl=ttl)
    assert cache.get("k") is None


@pytest.mark.parametrize("ttl", ["5", True, b"5", [5]])
def test_a_ttl_of_the_wrong_type_is_a_type_error(cache: trove.Cache, ttl: object) -> None:
    with pytest.raises(TypeError):
        cache.put("k", b"v", ttl=ttl)  # type: ignore[arg-type]


def test_a_tiny_ttl_still_expires_rather_than_living_forever(cache: trove.Cache) -> None:
    cache.put("k", b"v", ttl=1e-9)  # rounds up to 1 ms, never to 0 ("never expire")
    import time

    time.sleep(0.05)
    assert cache.get("k") is None


def test_a_surrogate_in_a_str_key_is_a_unicode_error(cache: trove.Cache) -> None:
    with pytest.raises(UnicodeEncodeError):
        cache.put("\udc80", b"v")


def test_wrong_argument_counts_are_type_errors(cache: trove.Cache) -> None:
    with pytest.raises(TypeError):
        cache.get()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        cache.get("k", None, None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        cache.get("k", fallback=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        cache.put("k")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        cache.put("k", b"v", None, None, None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        cache.put("k", b"v", time=5)  # type: ignore[call-arg]
    cache.put(key="k", value=b"v", ttl=None)
    assert cache.get("k") == b"v"
    cache.put("k", b"w", None, None)  # the fourth is tags
    cache.put(key="k", value=b"x", ttl=None, tags=None)
    assert cache.get("k") == b"x"


def test_a_malformed_glob_is_invalid(cache: trove.Cache) -> None:
    with pytest.raises(trove.InvalidArgument) as raised:
        cache.invalidate_glob("user:[a-")
    assert raised.value.code == -1 and str(raised.value)
    with pytest.raises(ValueError):
        cache.invalidate_glob(b"a\x00b")


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"capacity_bytes": 1000}, trove.InvalidArgument, "capacity_bytes"),
        ({"policy": "no-such-policy"}, trove.InvalidArgument, "no-such-policy"),
        ({"stripes": 3}, trove.InvalidArgument, "stripes"),
        ({"capacity_bytes": -1}, ValueError, "capacity_bytes"),
        ({"capacity_bytes": 1 << 64}, ValueError, "capacity_bytes"),
        ({"stripes": 1 << 32}, ValueError, "stripes"),
        ({"capacity_bytes": "64MB"}, TypeError, "capacity_bytes"),
        ({"capacity_bytes": 1.5}, TypeError, "capacity_bytes"),
        ({"policy": 3}, TypeError, "policy"),
        ({"policy": "lru\x00"}, ValueError, "policy"),
    ],
)
def test_bad_options_name_what_is_wrong(
    cache_class: type[CacheMethods], options: dict[str, object], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        cache_class(**options)  # type: ignore[arg-type]


def test_options_are_keyword_only_after_the_capacity(cache_class: type[CacheMethods]) -> None:
    with pytest.raises(TypeError):
        cache_class(8 << 20, None)  # type: ignore[misc]


def test_every_call_on_a_closed_cache_raises_closed(cache_class: type[CacheMethods]) -> None:
    cache: trove.Cache = cache_class(capacity_bytes=4 << 20)  # type: ignore[assignment]
    cache.put("k", b"v")
    cache.close()
    calls = [
        lambda: cache.get("k"),
        lambda: cache["k"],
        lambda: cache.put("k", b"v"),
        lambda: cache.__setitem__("k", b"v"),
        lambda: cache.delete("k"),
        lambda: cache.__delitem__("k"),
        lambda: "k" in cache,
        lambda: cache.get_many(["k"]),
        lambda: cache.invalidate_prefix("k"),
        lambda: cache.invalidate_glob("k*"),
        cache.clear,
        cache.flush,
        cache.stats,
        cache.metrics_text,
    ]
    for call in calls:
        with pytest.raises(trove.Closed) as raised:
            call()
        assert raised.value.code == -4 and "closed" in str(raised.value)


def test_errors_form_a_hierarchy_with_codes() -> None:
    for error in (trove.InvalidArgument, trove.TooBig, trove.Closed, trove.OutOfMemory):
        assert issubclass(error, trove.TroveError)
    assert issubclass(trove.DiskError, OSError) and trove.DiskError.code == -6
    assert issubclass(trove.NoSpace, OSError) and trove.NoSpace.code == -7
    assert trove.BadFormat.code == -8 and trove.OutOfMemory.code == -5
    assert issubclass(trove.OutOfMemory, MemoryError)
