"""Refresh-ahead: get_or_load(..., refresh=...) reloads a value in the background, once, while
every reader keeps getting the cached one; @trove.cached(refresh=...) on top of it.

The library's test clock (the ``advance_clock`` fixture) moves a value past its refresh
interval without sleeping. A background reload runs later on a thread of the library's
own, so the tests wait for its effect (a counter, the cached value) with a deadline.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import weakref
from collections.abc import Callable

import pytest

import trove
from trove import _loading

from .test_get_or_load import stampede, wait_for_waiters

TIMEOUT = 30.0


def eventually(condition: Callable[[], bool], what: str) -> None:
    """Returns once ``condition()`` holds; fails the test after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.001)  # a poll interval, not a synchronisation: the condition is checked


class Versions:
    """A loader that returns b"v1", b"v2", ... and records the threads it ran on."""

    def __init__(self) -> None:
        self.calls = 0
        self.threads: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, key: bytes) -> bytes:
        with self.lock:
            self.calls += 1
            self.threads.append(threading.get_ident())
            return b"v%d" % self.calls


def test_after_the_interval_one_hit_starts_one_background_reload(
    cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    loader = Versions()
    assert cache.get_or_load("k", loader, ttl=600, refresh=10) == b"v1"
    advance_clock(9)  # not yet due (a second of real time to spare)
    assert cache.get_or_load("k", loader, ttl=600, refresh=10) == b"v1"
    assert cache.stats().refreshes == 0 and loader.calls == 1
    advance_clock(2)
    assert cache.get_or_load("k", loader, ttl=600, refresh=10) == b"v1"  # at once, the old value
    eventually(lambda: cache.get("k") == b"v2", "the reload's value is cached")
    stats = cache.stats()
    assert (stats.refreshes, stats.refresh_failures, stats.loads) == (1, 0, 2)
    assert loader.calls == 2 and loader.threads[1] != threading.get_ident()  # on the library's thread
    assert cache.get_or_load("k", loader, ttl=600, refresh=10) == b"v2" and cache.stats().refreshes == 1


def test_32_readers_get_the_old_value_at_once_while_the_one_reload_is_held(
    cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    reloading, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def loader(key: bytes) -> bytes:
        calls.append(threading.get_ident())
        if len(calls) == 1:
            return b"old"
        reloading.set()
        assert release.wait(TIMEOUT)
        return b"new"

    assert cache.get_or_load("hot", loader, ttl=600, refresh=10) == b"old"
    advance_clock(11)
    outcomes = stampede(32, lambda: cache.get_or_load("hot", loader, ttl=600, refresh=10))
    assert outcomes == [b"old"] * 32  # every reader returned while the reload was held
    assert reloading.wait(TIMEOUT) and len(calls) == 2
    assert stampede(32, lambda: cache.get_or_load("hot", loader, ttl=600, refresh=10)) == [b"old"] * 32
    assert cache.stats().refreshes == 1
    release.set()
    eventually(lambda: cache.get("hot") == b"new", "the held reload's value is cached")
    assert stampede(32, lambda: cache.get_or_load("hot", loader, ttl=600, refresh=10)) == [b"new"] * 32
    stats = cache.stats()
    assert (stats.refreshes, stats.loads, len(calls)) == (1, 2, 2)
    assert stats.load_waiters == 0  # no reader ever waited for the reload


def test_a_failed_reload_keeps_the_value_is_counted_and_is_tried_again(
    cache: trove.Cache, advance_clock: Callable[[float], None], caplog: pytest.LogCaptureFixture
) -> None:
    error = ConnectionError("the database is down")
    attempts: list[str] = []

    def loader(key: bytes) -> bytes:
        attempts.append("load")
        if len(attempts) == 2:
            raise error
        return b"v%d" % len(attempts)

    assert cache.get_or_load("k", loader, ttl=600, refresh=10) == b"v1"
    advance_clock(11)
    with caplog.at_level(logging.WARNING, logger="trove"):
        assert cache.get_or_load("k", loader, ttl=600, refresh=10) == b"v1"
        eventually(lambda: cache.stats().refresh_failures == 1, "the failed reload is counted")
    assert cache.get("k") == b"v1" and cache.get_or_load("k", loader, ttl=600, refresh=10) == b"v1"
    assert len(attempts) == 2  # not retried before another interval
    record = next(record for record in caplog.records if record.name == "trove")
    assert "background refresh of b'k' failed" in record.getMessage() and record.exc_info is not None
    assert record.exc_info[1] is error
    del record
    caplog.clear()
    assert cache._loads.in_flight() == 0  # the published failure was dropped: nothing leaks
    advance_clock(11)
    assert cache.get_or_load("k", loader, ttl=600, refresh=10) == b"v1"
    eventually(lambda: cache.get("k") == b"v3", "the retried reload's value is cached")
    stats = cache.stats()
    assert (stats.refreshes, stats.refresh_failures, stats.load_failures) == (2, 1, 1)


def test_a_reload_that_finds_nothing_removes_the_value(
    cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    found = [b"here"]
    assert cache.get_or_load("k", lambda key: found[0] if found else None, ttl=600, refresh=10) == b"here"
    found.clear()
    advance_clock(11)
    assert cache.get_or_load("k", lambda key: found[0] if found else None, ttl=600, refresh=10) == b"here"
    eventually(lambda: "k" not in cache, "the reload removed the value")
    assert cache.get_or_load("k", lambda key: b"back", ttl=600, refresh=10) == b"back"


def test_a_reload_value_too_large_to_cache_takes_the_old_one_out(
    cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    huge = b"x" * (cache.stats().segment_size + 1)
    values = [b"small", huge]
    assert cache.get_or_load("k", lambda key: values[0], ttl=600, refresh=10) == b"small"
    values.pop(0)
    advance_clock(11)
    assert cache.get_or_load("k", lambda key: values[0], ttl=600, refresh=10) == b"small"
    eventually(lambda: "k" not in cache, "the old value was taken out")
    assert cache.stats().refresh_failures == 1
    assert cache.get_or_load("k", lambda key: values[0], ttl=600, refresh=10) == huge  # returned, not cached


def test_get_never_reloads_and_a_write_cancels_the_refresh(
    cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    loader = Versions()
    cache.get_or_load("a", loader, ttl=600, refresh=10)
    cache.get_or_load("b", loader, ttl=600, refresh=10)
    cache.put("b", b"written")
    advance_clock(11)
    assert cache.get("a") == b"v1"
    assert cache.get_or_load("b", loader, ttl=600, refresh=10) == b"written"
    time.sleep(0.05)  # nothing is supposed to happen; give a stray reload the time to show
    assert cache.stats().refreshes == 0 and loader.calls == 2


def test_the_reload_calls_the_loader_of_the_latest_call_with_its_ttl_and_tags(
    cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    cache.get_or_load("k", lambda key: b"first", ttl=600, refresh=10)
    advance_clock(11)
    # The hit that starts the reload brings its own loader, ttl and tags.
    assert cache.get_or_load("k", lambda key: b"second", ttl=30, refresh=5, tags=["fresh"]) == b"first"
    eventually(lambda: cache.get("k") == b"second", "the second loader's value is cached")
    assert cache.invalidate_tag("fresh") == 1
    assert len(cache._loads.reloads) == 1  # one record per key, however many calls


def test_a_miss_that_joins_a_failing_reload_gets_its_exception(
    cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    """The value expires while its reload is held: a miss then waits for the reload and gets its very exception."""
    reloading, release = threading.Event(), threading.Event()
    error = TimeoutError("slow database")

    def loader(key: bytes) -> bytes:
        if not reloading.is_set() and cache.stats().loads == 0:
            return b"first"
        reloading.set()
        assert release.wait(TIMEOUT)
        raise error

    assert cache.get_or_load("k", loader, ttl=20, refresh=10) == b"first"
    advance_clock(11)
    assert cache.get_or_load("k", loader, ttl=20, refresh=10) == b"first"
    assert reloading.wait(TIMEOUT)
    advance_clock(10)  # the value has expired; the reload is still running
    outcomes: list[object] = []

    def miss() -> None:
        try:
            outcomes.append(cache.get_or_load("k", loader, ttl=20, refresh=10))
        except TimeoutError as raised:
            outcomes.append(raised)

    waiter = threading.Thread(target=miss)
    waiter.start()
    wait_for_waiters(cache, 1)
    release.set()
    waiter.join(TIMEOUT)
    assert outcomes == [error] and outcomes[0] is error
    assert cache._loads.in_flight() == 0


def test_bad_refresh_intervals_are_refused_before_loading(cache: trove.Cache) -> None:
    never = lambda key: pytest.fail("the loader ran")  # noqa: E731
    with pytest.raises(trove.InvalidArgument, match="shorter than ttl"):
        cache.get_or_load("k", never, ttl=10, refresh=10)
    with pytest.raises(trove.InvalidArgument, match="shorter than ttl"):
        cache.get_or_load("k", never, ttl=10, refresh=60)
    for refresh, error in ((0, ValueError), (-1, ValueError), (float("inf"), ValueError), ("5", TypeError)):
        with pytest.raises(error):
            cache.get_or_load("k", never, ttl=10, refresh=refresh)  # type: ignore[arg-type]
    assert cache.get_or_load("k", lambda key: b"v", refresh=3600) == b"v"  # no TTL: any interval
    with pytest.raises(trove.InvalidArgument):
        trove.cached(cache, ttl=5, refresh=5)
    assert "k" in cache and cache.stats().loads == 1


def test_the_cache_holds_a_refresh_loader_until_it_is_closed(cache: trove.Cache) -> None:
    class Loader:
        def __call__(self, key: bytes) -> bytes:
            return b"v"

    loader = Loader()
    reference = weakref.ref(loader)
    cache.get_or_load("k", loader, ttl=60, refresh=10)
    plain = Loader()
    plain_reference = weakref.ref(plain)
    cache.get_or_load("other", plain, ttl=60)
    del loader, plain
    gc.collect()
    assert reference() is not None  # kept: the library may call it back until close
    assert plain_reference() is None  # a loader without refresh is not kept
    number = cache._loads.number
    cache.close()
    gc.collect()
    assert reference() is None and number not in _loading._books


def test_reload_records_are_swept_once_their_keys_are_gone(cache: trove.Cache) -> None:
    first = 1100
    for index in range(first):
        cache.get_or_load(f"a:{index}", lambda key: b"v", ttl=600, refresh=60)
    assert len(cache._loads.reloads) == first  # a sweep at 1,025 kept them all: cached
    cache.invalidate_prefix("a:")
    for index in range(2 * first):
        cache.get_or_load(f"b:{index}", lambda key: b"v", ttl=600, refresh=60)
    assert len(cache._loads.reloads) == 2 * first  # the a: records went at the next sweep


def test_closing_from_inside_a_reload_is_refused(cache: trove.Cache, advance_clock: Callable[[float], None]) -> None:
    seen: list[BaseException] = []

    def loader(key: bytes) -> bytes:
        if cache.stats().loads:
            try:
                cache.close()
            except RuntimeError as error:
                seen.append(error)
        return b"v"

    cache.get_or_load("k", loader, ttl=600, refresh=10)
    advance_clock(11)
    cache.get_or_load("k", loader, ttl=600, refresh=10)
    eventually(lambda: bool(seen), "the reload tried to close the cache")
    assert "background reload" in str(seen[0]) and not cache.closed


def test_cached_functions_are_refreshed_in_the_background(
    cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    runs: list[int] = []

    @trove.cached(cache, ttl=600, refresh=60, tags=lambda user: [f"user:{user}"])
    def dashboard(user: str) -> dict[str, object]:
        runs.append(threading.get_ident())
        return {"user": user, "version": len(runs)}

    assert dashboard("ada") == {"user": "ada", "version": 1}
    advance_clock(61)
    assert dashboard("ada") == {"user": "ada", "version": 1}  # at once
    eventually(lambda: len(runs) == 2, "the function ran again in the background")
    eventually(lambda: dashboard("ada")["version"] == 2, "the refreshed result is served")
    assert runs[1] != threading.get_ident()
    assert cache.invalidate_tag("user:ada") == 1  # the refreshed result kept its tags
