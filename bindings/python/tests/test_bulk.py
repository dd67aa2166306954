"""put_many and delete_many: batched writes through trove_put_many and trove_delete_many."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import trove
from trove.cache import CacheMethods


def test_put_many_takes_a_mapping_or_pairs(cache: trove.Cache) -> None:
    cache.put_many({"a": b"1", b"b": bytearray(b"2")})
    cache.put_many([("c", b"3"), (b"d", memoryview(b"4"))], ttl=60)
    cache.put_many(iter([("e", b"")]), ttl=timedelta(minutes=1))
    assert cache.get_many(["a", "b", "c", "d", "e"]) == {"a": b"1", "b": b"2", "c": b"3", "d": b"4", "e": b""}
    cache.put_many([])
    assert cache.stats().puts == 5


def test_the_later_write_of_a_repeated_key_wins(cache: trove.Cache) -> None:
    cache.put_many([("k", b"first"), ("other", b"x"), ("k", b"second, and longer")])
    assert cache.get("k") == b"second, and longer"


def test_put_many_spans_several_calls(cache: trove.Cache) -> None:
    items = {f"key:{index}": str(index).encode() * 3 for index in range(1000)}
    cache.put_many(items)
    assert cache.get_many(items) == items
    assert cache.stats().items == 1000


def test_a_refused_entry_raises_after_the_others_are_written(cache: trove.Cache) -> None:
    segment = cache.stats().segment_size
    items = [(f"key:{index}", b"v") for index in range(600)]
    items[300] = ("big", b"x" * segment)
    items[400] = ("", b"no key")
    with pytest.raises(trove.TooBig, match="entry 300"):
        cache.put_many(items)
    assert cache.get("big") is None
    assert cache.stats().items == 598
    assert cache.get("key:599") == b"v"


def test_a_value_of_the_wrong_type_writes_nothing(cache: trove.Cache) -> None:
    with pytest.raises(TypeError):
        cache.put_many([("a", b"1"), ("b", "text is not bytes")])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        cache.put_many([(None, b"1")])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        cache.put_many({"a": b"1"}, ttl=0)
    assert cache.get("a") is None


def test_delete_many_returns_how_many_were_cached(cache: trove.Cache) -> None:
    cache.put_many({f"key:{index}": b"v" for index in range(500)})
    assert cache.delete_many(f"key:{index}" for index in range(0, 1000, 2)) == 250
    assert cache.stats().items == 250
    assert cache.get("key:2") is None and cache.get("key:3") == b"v"
    assert cache.delete_many([]) == 0
    assert cache.delete_many(["key:3", b"key:3"]) == 1


def test_delete_many_raises_for_a_bad_key_after_deleting_the_rest(cache: trove.Cache) -> None:
    cache.put_many({"a": b"1", "b": b"2"})
    with pytest.raises(trove.InvalidArgument, match="key 1"):
        cache.delete_many(["a", "", "b"])
    assert cache.get("a") is None and cache.get("b") is None
    with pytest.raises(trove.TooBig):
        cache.delete_many(["x" * 1025])
    with pytest.raises(TypeError):
        cache.delete_many([1])  # type: ignore[list-item]


def test_a_closed_cache_raises(cache_class: type[CacheMethods]) -> None:
    cache = cache_class(capacity_bytes=4 << 20)
    cache.close()
    with pytest.raises(trove.Closed):
        cache.put_many({"a": b"1"})  # type: ignore[attr-defined]
    with pytest.raises(trove.Closed):
        cache.delete_many(["a"])  # type: ignore[attr-defined]


def test_deleted_keys_stay_deleted_on_disk(cache_class: type[CacheMethods], tmp_path: Path) -> None:
    items = {f"disk:{index}": bytes([index % 251]) * 3000 for index in range(2000)}
    with cache_class(capacity_bytes=1 << 20, path=tmp_path, disk_capacity_bytes=64 << 20) as cache:
        cache.put_many(items)  # type: ignore[attr-defined]
        cache.flush()
        assert cache.stats().disk_items > 1000
        assert cache.delete_many(list(items)[::2]) == 1000  # type: ignore[attr-defined]
    with cache_class(capacity_bytes=1 << 20, path=tmp_path, disk_capacity_bytes=64 << 20) as cache:
        kept = list(items)[1::2]
        assert cache.get_many(items) == {key: items[key] for key in kept}
