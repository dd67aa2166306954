"""Tags: put(..., tags=...), invalidate_tag, get_or_load(..., tags=...) and @trove.cached(tags=...)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import trove
from trove import _abi
from trove.cache import CacheMethods

TIMEOUT = 30.0


def test_invalidating_a_tag_removes_its_entries_only(cache: trove.Cache) -> None:
    cache.put("goal:1", b"run", tags=["user:ada", "goals:user:ada"])
    cache.put("goal:2", b"swim", 60, ["user:ada"])  # ttl and tags positionally
    cache.put("goal:3", b"row", tags=("user:grace",))
    cache.put("plain", b"untagged")
    stats = cache.stats()
    assert (stats.tags, stats.tagged_entries) == (3, 3)
    assert cache.invalidate_tag("user:ada") == 2
    assert cache.get("goal:1") is None and cache.get("goal:2") is None
    assert cache.get("goal:3") == b"row" and cache.get("plain") == b"untagged"
    assert cache.invalidate_tag("user:ada") == 0 and cache.invalidate_tag("never used") == 0
    stats = cache.stats()
    assert (stats.tag_invalidations, stats.tags, stats.tagged_entries) == (3, 1, 1)


@pytest.mark.parametrize("invalidated", ["user:7", "team:blue", "region:eu"])
def test_an_entry_with_three_tags_goes_when_any_one_is_invalidated(cache: trove.Cache, invalidated: str) -> None:
    tags = ["user:7", "team:blue", "region:eu"]
    cache.put("profile:7", b"p", tags=tags)
    for tag in tags:  # a neighbour for each tag, carrying that tag alone
        cache.put(f"other:{tag}", b"o", tags=[tag])
    assert cache.invalidate_tag(invalidated) == 2
    assert "profile:7" not in cache and f"other:{invalidated}" not in cache
    for tag in tags:
        if tag != invalidated:
            assert cache.get(f"other:{tag}") == b"o"
            assert cache.invalidate_tag(tag) == 1  # the profile left every tag it carried


def test_str_and_bytes_tags_are_the_same_tag(cache: trove.Cache) -> None:
    cache.put("k1", b"v", tags=["équipe"])
    cache.put("k2", b"v", tags=[bytearray("équipe".encode())])
    cache.put("k3", b"v", tags=[memoryview(b"\x00binary\xff")])
    assert cache.invalidate_tag("équipe".encode()) == 2
    assert cache.invalidate_tag(b"\x00binary\xff") == 1


@pytest.mark.parametrize("rewrite", ["put", "setitem", "no tags", "put_many"])
def test_a_put_without_tags_drops_the_tags(cache: trove.Cache, rewrite: str) -> None:
    cache.put("k", b"old", tags=["t"])
    if rewrite == "put":
        cache.put("k", b"new")
    elif rewrite == "setitem":
        cache["k"] = b"new"
    elif rewrite == "no tags":
        cache.put("k", b"new", tags=[])
    else:
        cache.put_many([("k", b"new")])
    assert cache.stats().tagged_entries == 0
    assert cache.invalidate_tag("t") == 0
    assert cache.get("k") == b"new"


def test_a_tagged_put_replaces_the_tags(cache: trove.Cache) -> None:
    cache.put("k", b"v1", tags=["a", "b"])
    cache.put("k", b"v2", tags=["c"])
    assert cache.invalidate_tag("a") == 0 and cache.invalidate_tag("b") == 0
    assert cache.get("k") == b"v2"
    assert cache.invalidate_tag("c") == 1


def test_deletes_and_invalidations_take_entries_out_of_their_tags(cache: trove.Cache) -> None:
    for index in range(10):
        cache.put(f"user:{index}", b"v", tags=["all"])
    cache.delete("user:0")
    cache.delete_many(["user:1", "user:2"])
    assert cache.invalidate_prefix("user:3") == 1
    assert cache.invalidate_glob("user:[45]") == 2
    assert cache.stats().tagged_entries == 4
    assert cache.invalidate_tag("all") == 4


def test_a_tag_among_many_entries_removes_exactly_its_own(cache: trove.Cache) -> None:
    for index in range(5_000):
        cache.put(f"item:{index}", b"x" * 20, tags=[f"shard:{index % 50}", "everything"])
    assert cache.invalidate_tag("shard:7") == 100
    assert all(f"item:{index}" not in cache for index in range(7, 5_000, 50))
    assert cache.stats().items == 4_900
    assert cache.invalidate_tag("everything") == 4_900


def test_the_largest_and_most_tags_are_accepted(cache: trove.Cache) -> None:
    longest = "t" * 1024
    eight = [f"tag:{index}" for index in range(8)]
    cache.put("k", b"v", tags=[longest])
    cache.put("k2", b"v", tags=eight)
    assert cache.invalidate_tag(longest) == 1
    assert cache.invalidate_tag("tag:7") == 1


def test_bad_tags_are_refused_and_nothing_is_written(cache: trove.Cache) -> None:
    refusals: list[tuple[object, type[Exception], str]] = [
        ([f"t{index}" for index in range(9)], trove.InvalidArgument, "at most 8"),
        ([""], trove.InvalidArgument, "1 to 1024 bytes"),
        (["t" * 1025], trove.InvalidArgument, "1 to 1024 bytes"),
        (["é" * 513], trove.InvalidArgument, "1026 bytes"),  # 1,026 bytes of UTF-8
        ("user:1", TypeError, "not a single str"),
        (b"user:1", TypeError, "not a single bytes"),
        ([1], TypeError, "not int"),
        ([None], TypeError, "not NoneType"),
        (5, TypeError, "not int"),
    ]
    for tags, error, message in refusals:
        with pytest.raises(error, match=message):
            cache.put("k", b"v", tags=tags)  # type: ignore[arg-type]
        with pytest.raises(error, match=message):
            cache.get_or_load("k", lambda key: pytest.fail("the loader ran with bad tags"), tags=tags)  # type: ignore[arg-type]
    assert "k" not in cache and cache.stats().puts == 0
    for tag, error in (
        ("", trove.InvalidArgument),
        ("t" * 1025, trove.InvalidArgument),
        (None, TypeError),
        (3, TypeError),
    ):
        with pytest.raises(error):
            cache.invalidate_tag(tag)  # type: ignore[arg-type]
    with pytest.raises(trove.InvalidArgument) as raised:
        cache.invalidate_tag(b"")
    assert raised.value.code == _abi.EINVAL
    cache.close()
    with pytest.raises(trove.Closed):
        cache.put("k", b"v", tags=["t"])
    with pytest.raises(trove.Closed):
        cache.invalidate_tag("t")


def test_a_generator_of_tags_is_read_once(cache: trove.Cache) -> None:
    cache.put("k", b"v", tags=(f"t{index}" for index in range(3)))
    assert cache.invalidate_tag("t2") == 1


def test_tags_survive_closing_and_reopening_the_directory(cache_class: type[CacheMethods], tmp_path: Path) -> None:
    """With a disk tier, entries (some only on disk by then) keep their tags across close and open."""
    value = bytes(range(256)) * 8  # 2 KiB, incompressible enough to fill the disk tier
    with cache_class(capacity_bytes=1 << 20, path=tmp_path, compression_threshold=0) as cache:
        for index in range(2_000):
            cache.put(f"order:{index}", value, tags=[f"customer:{index % 10}", "orders"])  # type: ignore[attr-defined]
        cache.put("untagged", b"stays")  # type: ignore[attr-defined]
        assert cache.stats().disk_demotions > 0
    with cache_class(capacity_bytes=1 << 20, path=tmp_path, compression_threshold=0) as cache:
        assert cache.get("order:3") == value
        assert cache.stats().tagged_entries == 2_000
        assert cache.invalidate_tag("customer:3") == 200
        assert all(cache.get(f"order:{index}") is None for index in range(3, 2_000, 10))
        assert cache.get("order:4") == value
        assert cache.invalidate_tag("orders") > 0
        assert all(cache.get(f"order:{index}") is None for index in range(2_000))
        assert cache.get("untagged") == b"stays"
    with cache_class(capacity_bytes=1 << 20, path=tmp_path, compression_threshold=0) as cache:
        assert cache.get("order:4") is None and cache.get("untagged") == b"stays"


def test_get_or_load_caches_the_value_with_its_tags(cache: trove.Cache) -> None:
    calls: list[bytes] = []

    def load(key: bytes) -> bytes:
        calls.append(key)
        return b"row of " + key

    assert cache.get_or_load("goal:9", load, ttl=60, tags=["user:ada", "goal:9"]) == b"row of goal:9"
    assert cache.get_or_load("goal:9", load, ttl=60, tags=["user:ada", "goal:9"]) == b"row of goal:9"
    assert len(calls) == 1 and cache.stats().tagged_entries == 1
    assert cache.invalidate_tag("goal:9") == 1
    assert cache.get_or_load("goal:9", load, tags=["user:ada"]) == b"row of goal:9" and len(calls) == 2
    assert cache.invalidate_tag("user:ada") == 1 and "goal:9" not in cache


def test_a_tag_invalidated_while_its_value_loads_keeps_it_from_being_cached(cache: trove.Cache) -> None:
    """The load read the row before the write; its value is returned but never cached."""
    loading, release = threading.Event(), threading.Event()
    result: list[bytes | None] = []

    def slow(key: bytes) -> bytes:
        loading.set()
        assert release.wait(TIMEOUT)
        return b"old row"

    reader = threading.Thread(target=lambda: result.append(cache.get_or_load("goal:1", slow, tags=["user:ada"])))
    reader.start()
    assert loading.wait(TIMEOUT)
    assert cache.invalidate_tag("user:ada") == 0  # nothing cached yet; the load in flight is what it stops
    release.set()
    reader.join(TIMEOUT)
    assert result == [b"old row"]
    assert "goal:1" not in cache
    assert cache.get_or_load("goal:1", lambda key: b"new row", tags=["user:ada"]) == b"new row"


def test_a_tag_of_another_entry_does_not_stop_a_load(cache: trove.Cache) -> None:
    loading, release = threading.Event(), threading.Event()

    def slow(key: bytes) -> bytes:
        loading.set()
        assert release.wait(TIMEOUT)
        return b"row"

    reader = threading.Thread(target=lambda: cache.get_or_load("goal:1", slow, tags=["user:ada"]))
    reader.start()
    assert loading.wait(TIMEOUT)
    cache.invalidate_tag("user:grace")
    release.set()
    reader.join(TIMEOUT)
    assert cache.get("goal:1") == b"row"


def test_cached_results_carry_fixed_or_computed_tags(cache: trove.Cache) -> None:
    calls: list[tuple[str, int]] = []

    @trove.cached(cache, ttl=60, tags=lambda user, goal: [f"user:{user}", f"goal:{goal}"])
    def goal_detail(user: str, goal: int) -> dict[str, object]:
        calls.append((user, goal))
        return {"user": user, "goal": goal}

    @trove.cached(cache, tags=["reports"])
    def report(year: int) -> int:
        calls.append(("report", year))
        return year

    for user, goal in (("ada", 1), ("ada", 2), ("grace", 3)):
        assert goal_detail(user, goal) == {"user": user, "goal": goal}
        assert goal_detail(user, goal) == {"user": user, "goal": goal}
    assert report(2026) == report(2026) == 2026
    assert len(calls) == 4
    assert cache.invalidate_tag("user:ada") == 2
    goal_detail("ada", 1)
    goal_detail("grace", 3)
    assert len(calls) == 5
    assert cache.invalidate_tag("reports") == 1
    with pytest.raises(trove.InvalidArgument):
        trove.cached(cache, tags=[""])  # fixed tags are checked when decorating
    bad = trove.cached(cache, tags=lambda value: "lone str")(lambda value: value)
    with pytest.raises(TypeError, match="not a single str"):
        bad(1)  # a callable's tags are checked at each call


@pytest.mark.parametrize("write", ["put", "delete", "glob"])
def test_a_write_after_any_tag_invalidation_still_wins_over_a_load_in_flight(cache: trove.Cache, write: str) -> None:
    """Without the tag invalidation the write wins (test_get_or_load.py's racing put); an
    invalidation of an unrelated tag must not change that."""
    loading, release = threading.Event(), threading.Event()

    def slow(key: bytes) -> bytes:
        loading.set()
        assert release.wait(TIMEOUT)
        return b"read before the write"

    reader = threading.Thread(target=lambda: cache.get_or_load("k", slow, tags=["user:ada"]))
    reader.start()
    assert loading.wait(TIMEOUT)
    cache.invalidate_tag("some other tag")
    if write == "put":
        cache.put("k", b"written")
    elif write == "delete":
        cache.delete("k")
    else:
        cache.invalidate_glob("k*")
    release.set()
    reader.join(TIMEOUT)
    assert cache.get("k") == (b"written" if write == "put" else None)
