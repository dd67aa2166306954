"""Get and put throughput from Python: Trove against cachetools, a dict and redis-py.

Every target runs the same loop over the same Zipf-distributed keys (100-byte values,
all keys loaded first, so every get is a hit), one thread, and the median of several
runs is reported. Redis is Debian's redis-server, started here on 127.0.0.1 at a free
port with persistence off, and stopped before the script exits.

Then it splits a Trove get into its parts: the Python loop, a ctypes call that does
nothing, a raw ctypes trove_get, the engine's share (trove_get_many amortizes the call
over 256 keys), and the two implementations of Cache.get.

Usage: python bindings/python/bench.py [--runs 5] [--install] [--no-redis]
  --install  pip-installs cachetools and redis-py if missing; without it the script says
             what to install. redis-server comes from Debian: sudo apt-get install redis-server
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import ctypes
import importlib
import importlib.util
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import trove
from trove._calls import SPEEDUPS
from trove._hot_ctypes import CtypesCalls
from trove.cache import CacheMethods

VALUE = b"v" * 100
MIB = 1 << 20


class CtypesCache(CtypesCalls, CacheMethods):
    """``trove.Cache`` with its hot calls through ctypes, to measure that path even when C is compiled."""

    __slots__ = ("_finalizer", "_loads", "_removals", "__weakref__")


@dataclass
class Target:
    """One thing measured: its get and put, the keys it runs over, and its rates per run."""

    name: str
    get_call: str
    put_call: str
    get: Callable[[bytes], Any]
    put: Callable[[bytes, bytes], Any]
    sequence: Sequence[bytes]
    get_rates: list[float] = field(default_factory=list)
    put_rates: list[float] = field(default_factory=list)

    @property
    def get_rate(self) -> float:
        """The median get rate, operations per second."""
        return statistics.median(self.get_rates)

    @property
    def put_rate(self) -> float:
        """The median put rate, operations per second."""
        return statistics.median(self.put_rates)


def main() -> int:
    """Parses arguments, runs every target, prints the tables; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is reported")
    parser.add_argument("--keys", type=int, default=100_000, help="distinct keys")
    parser.add_argument("--ops", type=int, default=200_000, help="operations per run (in-process targets)")
    parser.add_argument("--redis-ops", type=int, default=20_000, help="operations per run against Redis")
    parser.add_argument("--zipf", type=float, default=0.99, help="Zipf exponent of the key popularity")
    parser.add_argument("--install", action="store_true", help="pip-install cachetools and redis-py if missing")
    parser.add_argument("--no-redis", action="store_true", help="skip Redis")
    parser.add_argument("--library", help="path of libtrove.so (default: trove's usual search)")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks that stop Redis

    library = trove.load_library(options.library)
    print(f"libtrove {'.'.join(map(str, library.version))} from {library.path}")
    print(f"Cache hot calls: {'C (trove._speedups)' if SPEEDUPS else 'ctypes (trove._speedups not compiled)'}")
    print(
        f"Python {sys.version.split()[0]}; {options.keys:,} keys, Zipf {options.zipf}, 100-byte values, "
        f"1 thread, median of {options.runs} runs"
    )

    keys = [b"key:%08d" % index for index in range(options.keys)]
    sequence = zipf_sequence(keys, options.ops, options.zipf)
    cachetools = optional_module("cachetools", "cachetools", options.install)
    with contextlib.ExitStack() as open_resources:  # caches stay open and Redis up across all runs
        targets = [trove_target(trove.Cache, "trove.Cache", keys, sequence, open_resources)]
        if SPEEDUPS:
            targets.append(trove_target(CtypesCache, "trove.Cache, ctypes only", keys, sequence, open_resources))
        if cachetools is not None:
            lru = cachetools.LRUCache(maxsize=options.keys)
            load(lru.__setitem__, keys)
            targets.append(Target("cachetools.LRUCache", "get(k)", "c[k] = v", lru.get, lru.__setitem__, sequence))
        plain: dict[bytes, bytes] = {}
        load(plain.__setitem__, keys)
        targets.append(Target("dict", "get(k)", "d[k] = v", plain.get, plain.__setitem__, sequence))
        if not options.no_redis:
            redis_target = start_redis(keys, sequence[: options.redis_ops], options.install, open_resources)
            if redis_target is not None:
                targets.append(redis_target)
        measure_interleaved(targets, options.runs)

    print_results(targets)
    print_bars(targets)
    print_breakdown(library, keys, sequence, options.runs)
    return 0


def measure_interleaved(targets: list[Target], runs: int) -> None:
    """``runs`` rounds of every target's gets, then of their puts: a slow moment of the machine hits all alike."""
    for _ in range(runs):
        for target in targets:
            target.get_rates.append(gets_per_second(target.get, target.sequence))
    for _ in range(runs):
        for target in targets:
            target.put_rates.append(puts_per_second(target.put, target.sequence))


def zipf_sequence(keys: Sequence[bytes], count: int, exponent: float) -> list[bytes]:
    """``count`` keys drawn with probability proportional to 1 / rank**exponent (fixed seed)."""
    weights = [1 / (rank**exponent) for rank in range(1, len(keys) + 1)]
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    rng = random.Random(42)
    order = list(keys)
    rng.shuffle(order)  # popular keys are not neighbours in any index
    return [order[bisect.bisect_left(cumulative, rng.random() * total)] for _ in range(count)]


def load(put: Callable[[bytes, bytes], Any], keys: Sequence[bytes]) -> None:
    """Puts every key with the 100-byte value."""
    for key in keys:
        put(key, VALUE)


def gets_per_second(get: Callable[[bytes], Any], sequence: Sequence[bytes]) -> float:
    """Gets per second of ``get(key)`` over ``sequence``."""
    started = time.perf_counter()
    for key in sequence:
        get(key)
    return len(sequence) / (time.perf_counter() - started)


def puts_per_second(put: Callable[[bytes, bytes], Any], sequence: Sequence[bytes]) -> float:
    """Puts per second of ``put(key, VALUE)`` over ``sequence``."""
    value = VALUE
    started = time.perf_counter()
    for key in sequence:
        put(key, value)
    return len(sequence) / (time.perf_counter() - started)


def trove_target(
    cache_class: type[CacheMethods],
    name: str,
    keys: Sequence[bytes],
    sequence: Sequence[bytes],
    resources: contextlib.ExitStack,
) -> Target:
    """A 256 MiB Trove cache holding every key; closed when ``resources`` closes, after checking all gets hit."""
    cache: Any = resources.enter_context(cache_class(capacity_bytes=256 * MIB))
    load(cache.put, keys)

    def check_every_get_hit() -> None:
        assert cache.stats().misses == 0, "every get must be a hit"

    resources.callback(check_every_get_hit)
    return Target(name, "get(k)", "put(k, v)", cache.get, cache.put, sequence)


def start_redis(
    keys: Sequence[bytes], sequence: Sequence[bytes], install: bool, resources: contextlib.ExitStack
) -> Target | None:
    """redis-py against a redis-server started until ``resources`` closes; None if either is missing."""
    redis = optional_module("redis", "redis", install)
    server = shutil.which("redis-server")
    if server is None:
        # Not installed for you: Debian's package starts a system service, which this script must not leave behind.
        print("skipping Redis: redis-server not found; install it with `sudo apt-get install redis-server`")
    if redis is None or server is None:
        return None
    port = resources.enter_context(redis_server(server))
    client = redis.Redis(host="127.0.0.1", port=port)
    resources.callback(client.close)
    pipeline = client.pipeline(transaction=False)
    for start in range(0, len(keys), 1000):
        pipeline.mset({key: VALUE for key in keys[start : start + 1000]})
    pipeline.execute()
    parser = "hiredis" if importlib.util.find_spec("hiredis") else "Python parser"
    return Target(f"redis-py ({parser})", "get(k)", "set(k, v)", client.get, client.set, sequence)


@contextlib.contextmanager
def redis_server(executable: str) -> Iterator[int]:
    """Runs redis-server on 127.0.0.1 at a free port, persistence off; stops it on exit, whatever happens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        print(f"redis-server {redis_version(executable)} started on 127.0.0.1:{port} (pid {process.pid})")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(f"redis-server (pid {process.pid}) stopped")


def redis_version(executable: str) -> str:
    """The version redis-server reports, e.g. "7.0.15"."""
    output = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout
    return next((word[2:] for word in output.split() if word.startswith("v=")), "?")


def optional_module(module: str, package: str, install: bool) -> ModuleType | None:
    """Imports ``module``; when missing, pip-installs ``package`` if ``install``, else says how and returns None."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if not install:
            print(f"skipping {module}: not installed; `{sys.executable} -m pip install {package}` or pass --install")
            return None
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], check=True)
    importlib.invalidate_caches()
    return importlib.import_module(module)


def print_results(rows: list[Target]) -> None:
    """The main table, with each target's get rate relative to Trove's."""
    trove_get = rows[0].get_rate
    print()
    header = f"{'target':<28} {'get ops/s':>12} {'ns/get':>8} {'put ops/s':>12} {'ns/put':>8}"
    print(f"{header}  {'Trove get is':>13}  calls")
    for row in rows:
        ratio = trove_get / row.get_rate
        print(
            f"{row.name:<28} {row.get_rate:>12,.0f} {1e9 / row.get_rate:>8.0f} {row.put_rate:>12,.0f} "
            f"{1e9 / row.put_rate:>8.0f}  {ratio:>12.2f}x  {row.get_call}, {row.put_call}"
        )


def print_bars(rows: list[Target]) -> None:
    """The issue's bars: Trove's get at least 5x redis-py's and at least 1x cachetools'."""
    trove_get = rows[0].get_rate
    by_name = {row.name.split(" ")[0]: row for row in rows}
    print()
    for name, bar in (("redis-py", 5.0), ("cachetools.LRUCache", 1.0)):
        row = by_name.get(name)
        if row is None:
            print(f"bar {name}: not measured")
            continue
        ratio = trove_get / row.get_rate
        print(f"bar: Trove get >= {bar:g}x {name} get: {ratio:.2f}x  {'PASS' if ratio >= bar else 'FAIL'}")
    plain = by_name["dict"]
    print(
        f"a plain dict's get is {plain.get_rate / trove_get:.1f}x Trove's ({1e9 / plain.get_rate:.0f} vs "
        f"{1e9 / trove_get:.0f} ns): a dict lookup is one C call with no copy and no lock"
    )


def print_breakdown(library: trove.Library, keys: Sequence[bytes], sequence: Sequence[bytes], runs: int) -> None:
    """Where a Trove get's time goes: each line the same loop over the same keys (ns per get, median)."""
    cdll = library.cdll
    version, trove_get = cdll.trove_version, cdll.trove_get
    plain = {key: VALUE for key in keys}
    buffer, length = ctypes.create_string_buffer(4096), ctypes.c_size_t()
    length_ref = ctypes.byref(length)
    with contextlib.ExitStack() as open_caches:
        slow = open_caches.enter_context(CtypesCache(capacity_bytes=256 * MIB))
        load(slow.put, keys)
        handle = slow._handle
        lines: list[tuple[str, Callable[[], float]]] = [
            ("Python loop + dict.get: the floor of any get", lambda: gets_per_second(plain.get, sequence)),
            ("a Python function doing nothing (lambda key: None)", lambda: gets_per_second(lambda key: None, sequence)),
            (
                "a ctypes call doing nothing (lambda key: trove_version())",
                lambda: gets_per_second(lambda key: version(), sequence),
            ),
            (
                "a raw ctypes trove_get (in a lambda): 6 declared arguments, no checks, no copy out",
                lambda: gets_per_second(
                    lambda key: trove_get(handle, key, len(key), buffer, 4096, length_ref), sequence
                ),
            ),
            (
                "Cache.get through ctypes: that, plus key check, thread-local buffer, copy to bytes",
                lambda: gets_per_second(slow.get, sequence),
            ),
            ("engine alone: raw trove_get_many, 256 keys a call, per key", lambda: engine_rate(cdll, handle, sequence)),
        ]
        if SPEEDUPS:
            fast = open_caches.enter_context(trove.Cache(capacity_bytes=256 * MIB))
            load(fast.put, keys)
            lines.append(("Cache.get through trove._speedups (C)", lambda: gets_per_second(fast.get, sequence)))
        rates: list[list[float]] = [[] for _ in lines]
        for _ in range(runs):
            for index, (_, measure) in enumerate(lines):
                rates[index].append(measure())
    print()
    print("where a get's time goes (ns per get, median):")
    for (label, _), measured in zip(lines, rates, strict=True):
        print(f"  {1e9 / statistics.median(measured):>7.0f}  {label}")
    print("  A get costs the engine about the get_many line; the rest of a ctypes get is crossing from")
    print("  Python to C: ctypes converts each argument through its declared type and prepares the call on")
    print("  every invocation. trove._speedups reads its arguments directly and calls through a stored")
    print("  function pointer; both release the GIL around the call.")


def engine_rate(cdll: ctypes.CDLL, handle: int, sequence: Sequence[bytes]) -> float:
    """Keys per second of raw trove_get_many calls of 256 keys, arrays built beforehand.

    One ctypes call per 256 keys makes the crossing's cost per key negligible, so this is
    close to the engine's own cost of a lookup and a 100-byte copy.
    """
    size = 256
    values = ctypes.create_string_buffer(size * 128)
    buffers = (ctypes.c_void_p * size)(*(ctypes.addressof(values) + index * 128 for index in range(size)))
    capacities = (ctypes.c_size_t * size)(*([128] * size))
    lengths, statuses = (ctypes.c_size_t * size)(), (ctypes.c_int * size)()
    batches = [
        ((ctypes.c_char_p * len(batch))(*batch), (ctypes.c_size_t * len(batch))(*map(len, batch)), len(batch))
        for batch in (sequence[start : start + size] for start in range(0, len(sequence), size))
    ]
    get_many = cdll.trove_get_many
    started = time.perf_counter()
    for keys, key_lengths, count in batches:
        get_many(handle, count, keys, key_lengths, buffers, capacities, lengths, statuses)
    return len(sequence) / (time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
