"""Cache.set_removal_listener: every cause reaches the Python listener, off the caller's thread, in order."""

from __future__ import annotations

import gc
import itertools
import sys
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import trove
from trove import RemovalCause
from trove.cache import CacheMethods

_sentinels = itertools.count()


class Heard:
    """A listener that records what it is told, and on which threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[bytes, RemovalCause]] = []
        self.threads: set[int] = set()
        # By key too, so that waiting for one key does not scan (and hold up) the listener.
        self.by_key: dict[bytes, list[RemovalCause]] = {}

    def __call__(self, key: bytes, cause: RemovalCause) -> None:
        with self.lock:
            self.events.append((key, cause))
            self.by_key.setdefault(key, []).append(cause)
            self.threads.add(threading.get_ident())

    def causes(self, key: bytes) -> list[RemovalCause]:
        with self.lock:
            return list(self.by_key.get(key, []))

    def keys(self, cause: RemovalCause) -> list[bytes]:
        with self.lock:
            return [key for key, heard in self.events if heard == cause]

    def heard_within(self, key: bytes, cause: RemovalCause, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while cause not in self.causes(key):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.001)
        return True

    def wait_for(self, key: bytes, cause: RemovalCause, timeout: float = 20.0) -> None:
        assert self.heard_within(key, cause, timeout), f"{key!r} was not heard as {cause.name} within {timeout} s"


def drain(cache: Any, heard: Heard) -> None:
    """Returns once everything queued before the call has reached ``heard``: a sentinel's
    deletion is queued last, and notifications arrive in the order they were queued. A
    sentinel dropped from a full queue (counted in ``removals_dropped``) is sent again."""
    for _ in range(100):
        sentinel = f"sentinel:{next(_sentinels)}".encode()
        dropped = cache.stats().removals_dropped
        cache.put(sentinel, b"")
        cache.delete(sentinel)
        if heard.heard_within(sentinel, RemovalCause.DELETED, 20.0):
            with heard.lock:
                heard.events = [event for event in heard.events if not event[0].startswith(b"sentinel:")]
                heard.by_key = {key: causes for key, causes in heard.by_key.items() if not key.startswith(b"sentinel:")}
            return
        assert cache.stats().removals_dropped > dropped, f"{sentinel!r} was neither heard nor dropped within 20 s"
    raise AssertionError("100 sentinels in a row were dropped from a full queue")


def eventually(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not true within {timeout} s"
        time.sleep(0.001)


def test_the_causes_are_the_headers_codes() -> None:
    assert [(cause.name, int(cause)) for cause in RemovalCause] == [
        ("EVICTED", 1),
        ("EXPIRED", 2),
        ("DELETED", 3),
        ("REPLACED", 4),
        ("INVALIDATED", 5),
        ("DEMOTED", 6),
        ("DROPPED_FROM_DISK", 7),
    ]
    assert trove.RemovalCause is RemovalCause and "RemovalCause" in trove.__all__


def test_writes_deletes_and_invalidations_are_heard_in_order(cache: trove.Cache) -> None:
    heard = Heard()
    cache.set_removal_listener(heard)
    cache.put("a", b"1")
    cache.put("a", b"2")
    cache.delete("a")
    cache.put_many([("m:1", b"x"), ("m:2", b"x")])
    cache.delete_many(["m:1", "m:2", "m:absent"])
    cache.put("p:1", b"x")
    cache.put("p:2", b"x")
    cache.put("q:1", b"x")
    assert cache.invalidate_prefix("p:") == 2
    cache.put("user:goals:7:user123", b"x")
    cache.put("user:goals:7:user1234", b"x")
    assert cache.invalidate_glob("user:goals:*:user123") == 1
    cache.put("c", b"x")
    cache.clear()
    cache.close()  # delivers everything queued
    # In the order of the calls; within a bulk delete, invalidation or clear, which visits the
    # lock stripes in turn, in an order of their own.
    events = heard.events
    assert events[:2] == [(b"a", RemovalCause.REPLACED), (b"a", RemovalCause.DELETED)]
    assert set(events[2:4]) == {(b"m:1", RemovalCause.DELETED), (b"m:2", RemovalCause.DELETED)}
    assert set(events[4:6]) == {(b"p:1", RemovalCause.INVALIDATED), (b"p:2", RemovalCause.INVALIDATED)}
    assert events[6] == (b"user:goals:7:user123", RemovalCause.INVALIDATED)
    cleared = {(key, RemovalCause.INVALIDATED) for key in (b"q:1", b"user:goals:7:user1234", b"c")}
    assert len(events) == 10 and set(events[7:]) == cleared
    assert all(type(cause) is RemovalCause for _, cause in heard.events)


def test_delivery_is_off_the_callers_thread(cache: trove.Cache) -> None:
    heard = Heard()
    cache.set_removal_listener(heard)

    def overwrite(value: bytes) -> None:
        for _ in range(50):
            cache.put("k", value)

    workers = [threading.Thread(target=overwrite, args=(b"%d" % n,)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    drain(cache, heard)
    assert len(heard.keys(RemovalCause.REPLACED)) == 3 * 50 - 1
    callers = {threading.get_ident()} | {worker.ident for worker in workers}
    assert len(heard.threads) == 1 and not heard.threads & callers
    # The library counts a batch once the listener has returned from its last notification.
    eventually(lambda: cache.stats().removals_delivered == 3 * 50 - 1 + 1)  # and the sentinel's deletion


def test_evictions_without_a_disk_tier_are_heard(cache_class: type[CacheMethods]) -> None:
    with cache_class(capacity_bytes=1 << 20) as cache:
        heard = Heard()
        cache.set_removal_listener(heard)
        for index in range(3000):
            cache.put(f"k{index}", b"x" * 1000)  # type: ignore[attr-defined]
        drain(cache, heard)
        stats = cache.stats()
        evicted = heard.keys(RemovalCause.EVICTED)
        assert stats.evictions > 1000 and stats.removals_dropped == 0
        assert len(evicted) == stats.evictions and len(set(evicted)) == len(evicted)
        assert {cause for _, cause in heard.events} == {RemovalCause.EVICTED}
        assert all(cache.get(key) is None for key in evicted)


def test_demotions_to_the_disk_tier_are_heard(cache_class: type[CacheMethods], tmp_path: Path) -> None:
    with cache_class(capacity_bytes=1 << 20, path=tmp_path, disk_capacity_bytes=64 << 20) as cache:
        heard = Heard()
        cache.set_removal_listener(heard)
        for index in range(3000):
            cache.put(f"k{index}", b"%04d" % index * 250)  # type: ignore[attr-defined]
        drain(cache, heard)
        stats = cache.stats()
        demoted = heard.keys(RemovalCause.DEMOTED)
        assert stats.disk_demotions > 1000 and stats.removals_dropped == 0
        assert len(demoted) == stats.disk_demotions and not heard.keys(RemovalCause.EVICTED)
        # Demoted, not lost: each is read back from the disk tier.
        for key in demoted[:50]:
            assert cache.get(key) == b"%04d" % int(key[1:]) * 250
        assert cache.stats().disk_hits >= 50


def test_entries_of_an_evicted_disk_region_are_heard_as_dropped_from_disk(
    cache_class: type[CacheMethods], tmp_path: Path
) -> None:
    # 32 MB of 1 KB values through 1 MiB of memory and 16 MiB of disk: regions are evicted.
    with cache_class(
        capacity_bytes=1 << 20, path=tmp_path, disk_capacity_bytes=16 << 20, compression_threshold=0
    ) as cache:
        heard = Heard()
        cache.set_removal_listener(heard)
        for index in range(32_000):
            cache.put(f"k{index}", b"%04d" % index * 250)  # type: ignore[attr-defined]
            if index % 2_000 == 1_999:
                cache.flush()  # the writer catches up: while behind, it counts drops instead
        drain(cache, heard)
        assert cache.stats().disk_regions_evicted > 0
        dropped = heard.keys(RemovalCause.DROPPED_FROM_DISK)
        assert dropped
        with heard.lock:
            causes: dict[bytes, list[RemovalCause]] = {}
            for key, cause in heard.events:
                causes.setdefault(key, []).append(cause)
        for key in dropped:
            assert causes[key] in (
                [RemovalCause.DEMOTED, RemovalCause.DROPPED_FROM_DISK],
                [RemovalCause.DROPPED_FROM_DISK],
            )
            assert cache.get(key) is None


def test_expired_entries_are_heard(cache: trove.Cache, advance_clock: Callable[[float], None]) -> None:
    heard = Heard()
    cache.set_removal_listener(heard)
    cache.put("short", b"v", ttl=30)
    cache.put("long", b"v", ttl=3600)
    advance_clock(30)
    assert cache.get("short") is None and cache.get("long") == b"v"
    drain(cache, heard)
    assert heard.events == [(b"short", RemovalCause.EXPIRED)]


def test_none_removes_the_listener(cache: trove.Cache) -> None:
    heard = Heard()
    cache.set_removal_listener(heard)
    cache.put("a", b"1")
    cache.delete("a")
    heard.wait_for(b"a", RemovalCause.DELETED)
    cache.set_removal_listener(None)
    cache.put("b", b"1")
    cache.put("b", b"2")
    cache.delete("b")
    cache.set_removal_listener(None)  # removing it again is fine
    # The library stopped queueing too: a listener set later hears nothing of "b", and the
    # library delivered nothing but "a" and the sentinel.
    later = Heard()
    cache.set_removal_listener(later)
    drain(cache, later)
    eventually(lambda: cache.stats().removals_delivered >= 2)
    assert cache.stats().removals_delivered == 2 and cache.stats().removals_dropped == 0
    cache.close()
    assert heard.events == [(b"a", RemovalCause.DELETED)] and later.events == []


def test_a_new_listener_replaces_the_old_one(cache: trove.Cache) -> None:
    first, second = Heard(), Heard()
    cache.set_removal_listener(first)
    cache.put("a", b"1")
    cache.delete("a")
    first.wait_for(b"a", RemovalCause.DELETED)
    cache.set_removal_listener(second)
    cache.put("b", b"1")
    cache.delete("b")
    cache.close()
    assert first.events == [(b"a", RemovalCause.DELETED)]
    assert second.events == [(b"b", RemovalCause.DELETED)]


def test_a_raising_listener_is_reported_and_later_notifications_arrive(
    cache: trove.Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    heard = Heard()

    def listener(key: bytes, cause: RemovalCause) -> None:
        if key.startswith(b"bad"):
            raise ValueError(f"listener refuses {key!r}")
        heard(key, cause)

    cache.set_removal_listener(listener)
    for key in ("bad:1", "good:1", "bad:2", "good:2"):
        cache.put(key, b"v")
        cache.delete(key)
    cache.close()
    assert heard.events == [(b"good:1", RemovalCause.DELETED), (b"good:2", RemovalCause.DELETED)]
    assert [type(each.exc_value) for each in reported] == [ValueError, ValueError]
    assert [str(each.exc_value) for each in reported] == ["listener refuses b'bad:1'", "listener refuses b'bad:2'"]
    assert all("ctypes callback" in (each.err_msg or "") for each in reported)


def test_close_delivers_what_is_queued(cache: trove.Cache) -> None:
    heard = Heard()
    entered, release = threading.Event(), threading.Event()

    def slow(key: bytes, cause: RemovalCause) -> None:
        if key == b"first":
            entered.set()
            assert release.wait(20)  # holds the delivery thread: everything after it waits in the queue
        heard(key, cause)

    cache.set_removal_listener(slow)
    cache.put("first", b"v")
    cache.delete("first")
    assert entered.wait(20)
    keys = [f"k{index}".encode() for index in range(100)]
    for key in keys:
        cache.put(key, b"v")
        cache.delete(key)
    assert heard.events == [] and cache.stats().removals_dropped == 0
    timer = threading.Timer(0.2, release.set)  # close() blocks (GIL released) until the listener is let go
    timer.start()
    cache.close()
    timer.join()
    assert heard.events == [(key, RemovalCause.DELETED) for key in [b"first", *keys]]


def test_the_listener_may_read_the_cache_but_not_close_it(cache: trove.Cache) -> None:
    seen: list[object] = []
    release = threading.Event()

    def listener(key: bytes, cause: RemovalCause) -> None:
        if key == b"hold":
            assert release.wait(20)
        try:
            seen.append(cache.get("other"))
        except trove.Closed as error:
            seen.append(type(error))
        try:
            cache.close()
        except RuntimeError as error:
            seen.append(str(error))

    cache.put("other", b"still here")
    cache.set_removal_listener(listener)
    cache.put("a", b"1")
    cache.delete("a")
    message = "close() from the cache's own removal listener would wait for that listener"
    eventually(lambda: len(seen) == 2)
    assert seen == [b"still here", message] and not cache.closed
    # What close() delivers finds the cache closed already: "b" waits behind "hold" until then.
    cache.put("hold", b"1")
    cache.delete("hold")
    cache.put("b", b"1")
    cache.delete("b")
    timer = threading.Timer(0.2, release.set)
    timer.start()
    cache.close()
    timer.join()
    assert seen[2:] == [trove.Closed, message, trove.Closed, message]


def test_the_listener_needs_no_reference_of_its_own_and_is_dropped_on_close(cache: trove.Cache) -> None:
    class Listener:
        def __init__(self) -> None:
            self.heard: list[bytes] = []

        def __call__(self, key: bytes, cause: RemovalCause) -> None:
            self.heard.append(key)

    listener = Listener()
    heard = listener.heard
    reference = weakref.ref(listener)
    cache.set_removal_listener(listener)
    del listener
    gc.collect()
    cache.put("a", b"1")
    cache.delete("a")
    assert reference() is not None
    cache.close()
    assert heard == [b"a"]
    gc.collect()
    assert reference() is None


def test_a_collected_cache_delivers_its_queue_and_drops_its_listener(cache_class: type[CacheMethods]) -> None:
    listener = Heard()
    events, reference = listener.events, weakref.ref(listener)
    cache = cache_class(capacity_bytes=1 << 20)
    cache.set_removal_listener(listener)
    del listener
    cache.put("a", b"1")  # type: ignore[attr-defined]
    cache.delete("a")  # type: ignore[attr-defined]
    finalizer = cache._finalizer
    del cache
    gc.collect()
    assert not finalizer.alive
    assert events == [(b"a", RemovalCause.DELETED)]
    assert reference() is None


def test_bad_arguments_and_a_closed_cache(cache_class: type[CacheMethods]) -> None:
    cache = cache_class(capacity_bytes=1 << 20)
    with pytest.raises(TypeError, match="callable or None"):
        cache.set_removal_listener(b"not callable")  # type: ignore[arg-type]
    cache.close()
    with pytest.raises(trove.Closed):
        cache.set_removal_listener(Heard())
    with pytest.raises(trove.Closed):
        cache.set_removal_listener(None)
