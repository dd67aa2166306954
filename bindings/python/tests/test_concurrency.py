"""Eight Python threads on one cache: every value read is whole and belongs to its key."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import trove
from trove.cache import CacheMethods

THREADS = 8
OPERATIONS = 4000
SHARED_KEYS = 500
SIZES = (1, 100, 4000, 4100, 20_000)  # around and past the 4 KiB receive buffer


def make_value(key: bytes, writer: int, sequence: int, size: int) -> bytes:
    """A value that names its key and can be checked whole: a header, then the header repeated."""
    header = b"%s|%d|%d|%d|" % (key, writer, sequence, size)
    return header + (header * (size // len(header) + 1))[:size]


def check_value(key: bytes, value: bytes) -> None:
    """Fails unless ``value`` is exactly what ``make_value`` wrote for ``key``."""
    name, writer, sequence, size, _ = value.split(b"|", 4)
    assert name == key, f"{key!r} returned a value written for {name!r}"
    assert value == make_value(key, int(writer), int(sequence), int(size)), f"torn value under {key!r}"


def run_threads(work: Callable[[int], None]) -> list[BaseException]:
    """Runs ``work(thread_index)`` on THREADS threads started together; returns what they raised."""
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def body(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as error:  # noqa: BLE001 - reported by the test thread
            failures.append(error)

    threads = [threading.Thread(target=body, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread is stuck"
    return failures


def test_eight_threads_hammer_one_cache_and_every_value_checks_out(cache_class: type[CacheMethods]) -> None:
    cache: trove.Cache = cache_class(capacity_bytes=64 << 20)  # type: ignore[assignment]
    shared = [b"shared:%d" % index for index in range(SHARED_KEYS)]
    checked = [0] * THREADS

    def work(index: int) -> None:
        rng = random.Random(index)
        own = [b"own:%d:%d" % (index, slot) for slot in range(50)]
        latest: dict[bytes, bytes] = {}
        for sequence in range(OPERATIONS):
            roll = rng.random()
            key = rng.choice(shared)
            if roll < 0.45:
                value = cache.get(key)
                if value is not None:
                    check_value(key, value)
                    checked[index] += 1
            elif roll < 0.70:
                cache.put(key, make_value(key, index, sequence, rng.choice(SIZES)))
            elif roll < 0.75:
                cache.delete(key)
            elif roll < 0.80:
                for found_key, value in cache.get_many(rng.sample(shared, 8)).items():
                    check_value(found_key, value)  # type: ignore[arg-type]
                    checked[index] += 1
            else:
                # Keys only this thread writes: it must read back exactly its last write.
                mine = rng.choice(own)
                if rng.random() < 0.5:
                    latest[mine] = make_value(mine, index, sequence, rng.choice(SIZES))
                    cache.put(mine, latest[mine])
                else:
                    value = cache.get(mine)  # None if never written, or evicted to make room
                    assert value is None or value == latest[mine], f"{mine!r} is not its last write"

    with cache:
        assert run_threads(work) == []
    assert sum(checked) > THREADS * OPERATIONS * 0.2


def test_closing_while_threads_run_raises_closed_in_them(cache: trove.Cache) -> None:
    for index in range(SHARED_KEYS):
        cache.put(b"k%d" % index, make_value(b"k%d" % index, 0, 0, 100))
    running = threading.Barrier(THREADS + 1)

    def work(index: int) -> None:
        rng = random.Random(index)
        try:
            for round_number in range(1_000_000):
                if round_number == 100:
                    running.wait()
                key = b"k%d" % rng.randrange(SHARED_KEYS)
                value = cache.get(key)
                if value is not None:
                    check_value(key, value)
                cache.put(key, make_value(key, index, round_number, 100))
        except trove.Closed:
            return
        raise AssertionError("the loop ended without the cache being closed")

    def close_when_running() -> None:
        running.wait()
        cache.close()

    closer = threading.Thread(target=close_when_running)
    closer.start()
    failures = run_threads(work)
    closer.join()
    assert failures == []
    assert cache.closed
