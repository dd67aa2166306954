"""Cache.get_or_load and @trove.cached on top of it: read-through loading with single flight.

No sleep synchronises anything here: threads line up on a Barrier or an Event, and a loader
holds its load until ``stats().load_waiters`` shows every other caller waiting for it (polled,
with a timeout after which the test fails instead of hanging).
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest

import trove
from trove import _abi, _loading
from trove._loader import load_library
from trove.cache import CacheMethods

TIMEOUT = 30.0


def wait_for_waiters(cache: trove.Cache, count: int) -> None:
    """Returns once ``count`` callers wait for a load of ``cache``; fails the test after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while cache.stats().load_waiters < count:
        if time.monotonic() > deadline:
            pytest.fail(f"only {cache.stats().load_waiters} of {count} callers waited for the load")
        time.sleep(0.001)  # a poll interval, not a synchronisation: the condition is the stats counter


def stampede(count: int, call: Callable[[], object]) -> list[object]:
    """Runs ``call`` on ``count`` threads released together; returns each one's result or exception."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = call()
        except BaseException as error:  # the test compares what every thread got
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a caller never returned"
    return outcomes


def assert_nothing_in_flight(cache: trove.Cache) -> None:
    """The binding's book of loads is empty once every call has returned: it does not grow."""
    assert cache._loads.in_flight() == 0
    assert not _loading._active.calls  # this thread's calls in flight


@pytest.mark.parametrize("threads", [16, 64])
def test_concurrent_misses_run_the_loader_once_and_all_get_the_value(cache: trove.Cache, threads: int) -> None:
    calls: list[bytes] = []

    def loader(key: bytes) -> bytes:
        calls.append(key)
        wait_for_waiters(cache, threads - 1)
        return b"loaded:" + key

    outcomes = stampede(threads, lambda: cache.get_or_load("hot", loader))
    assert outcomes == [b"loaded:hot"] * threads
    assert calls == [b"hot"]
    assert cache.get("hot") == b"loaded:hot"
    stats = cache.stats()
    assert (stats.loads, stats.load_failures, stats.load_waiters) == (1, 0, threads - 1)
    assert stats.load_time_ns > 0
    assert_nothing_in_flight(cache)


def test_a_hit_does_not_call_the_loader(cache: trove.Cache) -> None:
    cache.put(b"k", b"cached")
    assert cache.get_or_load(b"k", lambda key: pytest.fail("the loader ran on a hit")) == b"cached"
    assert cache.stats().loads == 0


def test_a_raising_loader_reaches_every_waiter_and_nothing_is_cached(cache: trove.Cache) -> None:
    threads = 32
    error = LookupError("the database has no row 42")
    calls = []

    def failing(key: bytes) -> bytes:
        calls.append(key)
        wait_for_waiters(cache, threads - 1)
        raise error

    outcomes = stampede(threads, lambda: cache.get_or_load("row:42", failing))
    assert all(outcome is error for outcome in outcomes), outcomes
    assert len(calls) == 1
    assert cache.get("row:42") is None
    stats = cache.stats()
    assert (stats.loads, stats.load_failures, stats.load_waiters) == (1, 1, threads - 1)
    assert_nothing_in_flight(cache)

    # Not cached: the next call loads again.
    assert cache.get_or_load("row:42", lambda key: b"found") == b"found"
    assert cache.stats().loads == 2 and cache.get("row:42") == b"found"


def test_successive_failures_each_reach_their_own_waiters(cache: trove.Cache) -> None:
    for attempt in range(3):
        error = RuntimeError(f"attempt {attempt}")

        def failing(key: bytes, error: RuntimeError = error, waiters: int = 3 * (attempt + 1)) -> bytes:
            wait_for_waiters(cache, waiters)  # load_waiters counts since the cache opened
            raise error

        outcomes = stampede(4, lambda failing=failing: cache.get_or_load("flaky", failing))  # type: ignore[misc]
        assert all(outcome is error for outcome in outcomes)
    assert cache.stats().load_failures == 3
    assert_nothing_in_flight(cache)


def test_a_loader_returning_none_is_a_miss_that_is_not_cached(cache: trove.Cache) -> None:
    calls = []

    def nothing(key: bytes) -> None:
        calls.append(key)
        return None

    assert cache.get_or_load("none", nothing) is None
    assert cache.get_or_load("none", nothing) is None
    assert len(calls) == 2 and "none" not in cache
    assert cache.stats().load_absent_hits == 0


def test_absent_ttl_remembers_a_key_found_absent(
    cache_class: type[CacheMethods], advance_clock: Callable[[float], None]
) -> None:
    calls = []

    def nothing(key: bytes) -> None:
        calls.append(key)
        return None

    cache: trove.Cache = cache_class(capacity_bytes=16 << 20, absent_ttl=timedelta(seconds=30))  # type: ignore[assignment]
    with cache:
        assert cache.get_or_load("ghost", nothing) is None
        assert cache.get_or_load("ghost", nothing) is None
        assert len(calls) == 1 and cache.stats().load_absent_hits == 1
        advance_clock(29)  # the test clock: a second of real time to spare
        assert cache.get_or_load("ghost", nothing) is None and len(calls) == 1
        advance_clock(1)
        assert cache.get_or_load("ghost", nothing) is None and len(calls) == 2
        # A write of the key forgets that it was absent.
        cache.put("ghost", b"x")
        cache.delete("ghost")
        assert cache.get_or_load("ghost", lambda key: b"now here") == b"now here"


def test_absent_ttl_is_checked_like_a_ttl(cache_class: type[CacheMethods]) -> None:
    with pytest.raises(ValueError):
        cache_class(absent_ttl=0)
    with pytest.raises(TypeError):
        cache_class(absent_ttl="60")  # type: ignore[arg-type]


def test_the_ttl_applies_to_the_loaded_value(cache: trove.Cache, advance_clock: Callable[[float], None]) -> None:
    assert cache.get_or_load("session", lambda key: b"v1", ttl=30) == b"v1"
    advance_clock(29)
    assert cache.get("session") == b"v1"
    advance_clock(1)
    assert cache.get_or_load("session", lambda key: b"v2", ttl=30) == b"v2"


def test_a_loader_asking_for_its_own_key_gets_invalid_argument(cache: trove.Cache) -> None:
    seen: list[trove.InvalidArgument] = []

    def recursive(key: bytes) -> bytes:
        try:
            cache.get_or_load(key, recursive)
        except trove.InvalidArgument as error:
            seen.append(error)
        # Other keys load normally from inside a loader.
        other = cache.get_or_load("other", lambda key: b"loaded:" + key)
        assert other is not None
        return other

    assert cache.get_or_load("self", recursive) == b"loaded:other"
    assert len(seen) == 1 and "wait for itself" in str(seen[0]) and seen[0].code == _abi.EINVAL
    assert cache.get("self") == b"loaded:other"
    assert_nothing_in_flight(cache)


def test_a_recursive_load_left_uncaught_fails_the_outer_load(cache: trove.Cache) -> None:
    def recursive(key: bytes) -> bytes:
        return cache.get_or_load(key, recursive) or b""

    with pytest.raises(trove.InvalidArgument, match="wait for itself"):
        cache.get_or_load("self", recursive)
    assert "self" not in cache and cache.stats().load_failures == 1
    assert_nothing_in_flight(cache)


def test_a_put_racing_a_load_wins(cache: trove.Cache) -> None:
    started, release = threading.Event(), threading.Event()
    result: list[bytes | None] = []

    def slow(key: bytes) -> bytes:
        started.set()
        assert release.wait(TIMEOUT)
        return b"loaded"

    loading = threading.Thread(target=lambda: result.append(cache.get_or_load("race", slow)))
    loading.start()
    assert started.wait(TIMEOUT)
    cache.put("race", b"put")
    release.set()
    loading.join(TIMEOUT)
    assert result == [b"loaded"]  # the load's caller gets what its loader found ...
    assert cache.get("race") == b"put"  # ... but the write wins in the cache


def test_a_value_larger_than_the_receive_buffer_reaches_every_waiter(cache: trove.Cache) -> None:
    threads = 8
    value = bytes(range(256)) * 40  # 10 KiB: more than a thread's first 4 KiB buffer

    def loader(key: bytes) -> bytes:
        wait_for_waiters(cache, threads - 1)
        return value

    assert stampede(threads, lambda: cache.get_or_load("wide", loader)) == [value] * threads
    assert cache.get("wide") == value
    assert cache.stats().loads == 1  # the waiters' second read at the reported size hit


def test_a_value_too_large_to_cache_is_returned_to_every_waiter_but_not_cached(cache: trove.Cache) -> None:
    threads = 8
    value = b"x" * (cache.stats().segment_size + 1)

    def loader(key: bytes) -> bytes:
        wait_for_waiters(cache, threads - 1)
        return value

    assert stampede(threads, lambda: cache.get_or_load("huge", loader)) == [value] * threads
    assert cache.get("huge") is None
    with pytest.raises(trove.TooBig):  # what put says of it
        cache.put("huge", value)
    assert cache.stats().load_failures == 1
    assert cache.get_or_load("huge", lambda key: value) == value and cache.stats().loads == 2
    assert_nothing_in_flight(cache)


def test_a_loader_returning_the_wrong_type_raises_type_error(cache: trove.Cache) -> None:
    with pytest.raises(TypeError, match="not str"):
        cache.get_or_load("k", lambda key: "text")  # type: ignore[arg-type, return-value]
    assert "k" not in cache
    assert cache.get_or_load("k", lambda key: bytearray(b"ba")) == b"ba"


def test_bad_arguments(cache: trove.Cache) -> None:
    with pytest.raises(TypeError):
        cache.get_or_load(None, lambda key: b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cache.get_or_load("k", b"not callable")  # type: ignore[arg-type]
    with pytest.raises(trove.InvalidArgument):
        cache.get_or_load("", lambda key: b"")
    with pytest.raises(trove.TooBig):
        cache.get_or_load("k" * 1025, lambda key: b"")
    with pytest.raises(ValueError):
        cache.get_or_load("k", lambda key: b"", ttl=-1)
    cache.close()
    with pytest.raises(trove.Closed):
        cache.get_or_load("k", lambda key: b"")


def test_a_failure_without_a_python_exception_is_a_loader_error(cache: trove.Cache) -> None:
    """A load led by a C loader (another binding, say) that fails: the Python waiter has no
    exception to raise, so it raises trove.LoaderError with the library's message."""
    library = load_library()
    started = threading.Event()

    def c_style_loader(user_data: int | None, key: int | None, key_length: int, load: int | None) -> int:
        started.set()
        wait_for_waiters(cache, 1)
        return 5

    callback = _abi.LOADER_FN(c_style_loader)
    statuses: list[int] = []

    def lead() -> None:
        length = ctypes.c_size_t()
        buffer = ctypes.create_string_buffer(16)
        statuses.append(
            library.cdll.trove_get_or_load(
                cache._handle, b"c", 1, callback, None, buffer, len(buffer), ctypes.byref(length)
            )
        )

    leader = threading.Thread(target=lead)
    leader.start()
    assert started.wait(TIMEOUT)
    with pytest.raises(trove.LoaderError, match="returned 5") as raised:
        cache.get_or_load("c", lambda key: pytest.fail("joined the load in progress, never runs"))
    leader.join(TIMEOUT)
    assert raised.value.code == _abi.ELOADER == -9 and statuses == [_abi.ELOADER]
    assert_nothing_in_flight(cache)


def test_cached_runs_the_function_once_under_concurrency(cache: trove.Cache) -> None:
    threads = 16
    calls = []

    @trove.cached(cache, ttl=60)
    def report(year: int) -> dict[str, int]:
        calls.append(year)
        wait_for_waiters(cache, threads - 1)
        return {"year": year, "total": 1234}

    assert stampede(threads, lambda: report(2026)) == [{"year": 2026, "total": 1234}] * threads
    assert calls == [2026]
    assert report(2026) == {"year": 2026, "total": 1234} and calls == [2026]
    assert report.cache_clear() == 1


def test_cached_hands_one_exception_to_every_concurrent_caller(cache: trove.Cache) -> None:
    threads = 8
    error = ConnectionError("down")

    @trove.cached(cache)
    def fetch() -> int:
        wait_for_waiters(cache, threads - 1)
        raise error

    assert all(outcome is error for outcome in stampede(threads, fetch))
    assert cache.stats().items == 0
