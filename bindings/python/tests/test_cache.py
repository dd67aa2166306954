"""Functional behaviour of trove.Cache, for both implementations of its hot calls."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

import trove
from trove.cache import CacheMethods


def test_put_then_get_returns_the_bytes(cache: trove.Cache) -> None:
    cache.put(b"user:1", b"Ada")
    assert cache.get(b"user:1") == b"Ada"
    assert isinstance(cache.get(b"user:1"), bytes)


def test_str_keys_are_utf8_and_the_same_entry_as_their_bytes(cache: trove.Cache) -> None:
    cache.put("naïve:ключ", b"v")
    assert cache.get("naïve:ключ".encode()) == b"v"
    cache.put(bytearray(b"ba"), memoryview(b"from a view"))
    assert cache.get("ba") == b"from a view"


def test_a_miss_returns_the_default(cache: trove.Cache) -> None:
    assert cache.get("absent") is None
    assert cache.get("absent", b"fallback") == b"fallback"
    assert cache.get("absent", default=0) == 0


def test_put_overwrites(cache: trove.Cache) -> None:
    cache.put("k", b"one")
    cache.put("k", b"two")
    assert cache.get("k") == b"two"


def test_mapping_forms(cache: trove.Cache) -> None:
    cache["k"] = b"v"
    assert cache["k"] == b"v"
    assert "k" in cache and b"k" in cache and "other" not in cache
    del cache["k"]
    assert "k" not in cache
    with pytest.raises(KeyError):
        cache["k"]
    with pytest.raises(KeyError):
        del cache["k"]


def test_delete_and_contains_report_presence(cache: trove.Cache) -> None:
    cache.put("k", b"v")
    assert cache.contains("k")
    assert cache.delete("k") is True
    assert cache.delete("k") is False
    assert cache.contains("k") is False


def test_values_may_be_empty_or_hold_any_byte(cache: trove.Cache) -> None:
    cache.put("empty", b"")
    assert cache.get("empty") == b""
    every_byte = bytes(range(256)) * 3
    cache.put(b"\x00binary\xff", every_byte)
    assert cache.get(b"\x00binary\xff") == every_byte


@pytest.mark.parametrize("size", [4095, 4096, 4097, 20_000, 65_536 - 64, 40_000])
def test_values_larger_than_the_receive_buffer(cache: trove.Cache, size: int) -> None:
    value = bytes(index % 251 for index in range(size))
    cache.put("big", value)
    assert cache.get("big") == value
    assert cache["big"] == value
    assert cache.get("big") == value  # again, after a thread-local buffer may have grown


def test_a_value_that_shrinks_or_grows_is_read_whole(cache: trove.Cache) -> None:
    for size in (10, 50_000, 3, 60_000, 5_000, 1):
        cache.put("k", b"x" * size)
        assert cache.get("k") == b"x" * size


def test_ttl_expires_entries(cache: trove.Cache, advance_clock: Callable[[float], None]) -> None:
    # The test clock, not sleeps: moved 29 s, the 30 s entries are there unless a whole second
    # of real time passed since the puts (29.5 s: half a second); moved 30 s, they are past.
    cache.put("short", b"v", ttl=30)
    cache.put("fraction", b"v", ttl=29.5)
    cache.put("timedelta", b"v", ttl=timedelta(seconds=30))
    cache.put("long", b"v", ttl=3600)
    cache.put("forever", b"v")
    assert cache.get("short") == b"v"
    advance_clock(29)
    assert [cache.get(key) for key in ("short", "fraction", "timedelta")] == [b"v"] * 3
    advance_clock(1)
    assert [cache.get(key) for key in ("short", "fraction", "timedelta")] == [None] * 3
    assert cache.get("long") == b"v"
    assert cache.get("forever") == b"v"
    assert cache.stats().expirations == 3


def test_get_many_returns_the_hits_keyed_as_given(cache: trove.Cache) -> None:
    cache.put("a", b"1")
    cache.put(b"b", b"2")
    cache.put("large", b"L" * 10_000)
    found = cache.get_many(["a", b"b", "missing", "large", "a"])
    assert found == {"a": b"1", b"b": b"2", "large": b"L" * 10_000}
    assert cache.get_many([]) == {}


def test_get_many_spans_several_batches(cache: trove.Cache) -> None:
    keys = [f"key:{index}" for index in range(1000)]
    for key in keys[::2]:
        cache.put(key, key.encode() * 3)
    found = cache.get_many(iter(keys))
    assert found == {key: key.encode() * 3 for key in keys[::2]}


def test_invalidate_prefix(cache: trove.Cache) -> None:
    for index in range(10):
        cache.put(f"user:{index}", b"u")
        cache.put(f"team:{index}", b"t")
    assert cache.invalidate_prefix("user:") == 10
    assert cache.get("user:3") is None and cache.get("team:3") == b"t"
    assert cache.invalidate_prefix(b"nothing") == 0
    assert cache.invalidate_prefix("") == 10


def test_invalidate_glob(cache: trove.Cache) -> None:
    for key in ("user:1:profile", "user:2:profile", "user:1:orders", "user:10:profile"):
        cache.put(key, b"v")
    assert cache.invalidate_glob("user:?:profile") == 2
    assert cache.get("user:10:profile") == b"v" and cache.get("user:1:orders") == b"v"
    assert cache.invalidate_glob(b"user:[0-9]*") == 2


def test_clear_removes_everything(cache: trove.Cache) -> None:
    for index in range(100):
        cache.put(f"k{index}", b"v")
    cache.clear()
    assert cache.stats().items == 0
    assert cache.get("k1") is None


def test_stats_counts_operations(cache: trove.Cache) -> None:
    cache.put("a", b"12345")
    cache.get("a")
    cache.get("a")
    cache.get("missing")
    cache.delete("a")
    stats = cache.stats()
    assert isinstance(stats, trove.Stats)
    assert (stats.puts, stats.hits, stats.misses, stats.deletes, stats.items) == (1, 2, 1, 1, 0)
    assert stats.hit_ratio == pytest.approx(2 / 3)
    assert stats.capacity_bytes == 16 << 20
    assert stats.segment_size >= 64 * 1024 and stats.stripes >= 1
    with pytest.raises(AttributeError):
        stats.hits = 0  # type: ignore[misc]


def test_metrics_text_is_prometheus(cache: trove.Cache) -> None:
    cache.put("a", b"v")
    cache.get("a")
    text = cache.metrics_text()
    assert "# TYPE trove_hits_total counter" in text
    assert "\ntrove_hits_total 1\n" in text


def test_options_reach_the_engine(cache_class: type[CacheMethods]) -> None:
    with cache_class(capacity_bytes=8 << 20, stripes=4, policy="s3fifo", max_items=50) as cache:
        for index in range(200):
            cache.put(f"k{index}", b"v")  # type: ignore[attr-defined]
        stats = cache.stats()
        assert stats.stripes == 4 and stats.capacity_bytes == 8 << 20
        # The engine splits max_items evenly over the stripes, rounding up: 4 x 13 here.
        assert stats.items <= 52 and stats.evictions >= 148


def test_adaptive_policy_reports_its_prediction_accuracy(cache_class: type[CacheMethods]) -> None:
    with cache_class(capacity_bytes=8 << 20, stripes=1, policy="adaptive", max_items=500) as cache:
        for round_ in range(20):
            for index in range(2000):
                key = f"k{index % 400 if index % 2 else index + round_ * 2000}"
                if cache.get(key) is None:  # type: ignore[attr-defined]
                    cache.put(key, b"v")  # type: ignore[attr-defined]
        stats = cache.stats()
        assert stats.predictions_checked > 200
        assert stats.predictions_correct <= stats.predictions_checked
        assert stats.prediction_accuracy == stats.predictions_correct / stats.predictions_checked
        assert stats.prediction_accuracy > 0.5
    with cache_class(capacity_bytes=8 << 20, policy="lru") as cache:
        cache.put("a", b"v")  # type: ignore[attr-defined]
        assert cache.stats().predictions_checked == 0 and cache.stats().prediction_accuracy is None


def test_entries_spill_to_disk_and_survive_reopening(cache_class: type[CacheMethods], tmp_path: Path) -> None:
    values = {f"user:{index}": bytes([index % 251]) * 3000 for index in range(2000)}
    with cache_class(capacity_bytes=1 << 20, path=tmp_path, disk_capacity_bytes=64 << 20, compression_level=3) as cache:
        for key, value in values.items():
            cache[key] = value
        stats = cache.stats()
        assert stats.disk_state == 1 and stats.disk_demotions > 1000
        assert cache.disk_error() is None
        assert cache["user:7"] == values["user:7"]
    with cache_class(capacity_bytes=1 << 20, path=tmp_path, disk_capacity_bytes=64 << 20) as cache:
        assert all(cache.get(key) == value for key, value in values.items())
        stats = cache.stats()
        assert stats.disk_recovered_items == 2000 and stats.disk_hits > 1000


def test_an_unusable_disk_directory_leaves_a_memory_cache(cache_class: type[CacheMethods], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"x")
    with cache_class(capacity_bytes=1 << 20, path=blocker / "cold") as cache:
        cache["k"] = b"v"
        assert cache["k"] == b"v"
        error = cache.disk_error()
        assert isinstance(error, trove.DiskError) and "mkdir" in str(error)
        assert cache.stats().disk_state == 2


def test_eviction_keeps_memory_within_the_budget(cache: trove.Cache) -> None:
    value = b"x" * 1000
    for index in range(50_000):
        cache.put(f"k{index}", value)
    stats = cache.stats()
    assert stats.evictions > 0
    assert stats.memory_bytes <= stats.capacity_bytes


def test_close_is_idempotent_and_ends_the_cache(cache_class: type[CacheMethods]) -> None:
    cache = cache_class(capacity_bytes=4 << 20)
    assert not cache.closed and "open" in repr(cache)
    cache.close()
    cache.close()
    assert cache.closed and "closed" in repr(cache)


def test_the_context_manager_closes(cache_class: type[CacheMethods]) -> None:
    with cache_class(capacity_bytes=4 << 20) as cache:
        assert not cache.closed
    assert cache.closed


def test_a_collected_cache_is_closed(cache_class: type[CacheMethods]) -> None:
    cache = cache_class(capacity_bytes=4 << 20)
    finalizer = cache._finalizer
    reference = weakref.ref(cache)
    del cache
    gc.collect()
    assert reference() is None and not finalizer.alive


def test_many_caches_open_and_close(cache_class: type[CacheMethods]) -> None:
    for _ in range(200):
        with cache_class(capacity_bytes=1 << 20) as cache:
            cache.put("k", b"v")  # type: ignore[attr-defined]


def test_a_cache_cannot_be_iterated(cache: trove.Cache) -> None:
    with pytest.raises(TypeError):
        iter(cache)
