"""The goals-and-tasks repository over SQLite, cached in Trove against the same repository without a cache.

The service layer is tests/goals_repository.py (goal detail, goal lists, dashboard and task
lists per user, cached with tags and per-class TTLs; writes invalidate by tag, key and glob).
Each run starts from the same seeded database file and has THREADS threads make the same
operations (seeded per thread): users and their goals picked Zipf-ishly (a few are hot),
mostly reads, some writes. It reports, for the cached and the uncached repository:

- the hit ratio: reads that made no query (the calling thread's query count did not move);
- the median and 99th-percentile latency of reads, of cached reads that hit, and of writes;
- throughput, operations per second over all threads;
- the hit speedup: the uncached median read over the cached median hit, and the cached
  throughput over the uncached one.

Usage: python bindings/python/bench_repository.py [--threads 8] [--operations 4000] [--users 200]
                                                  [--writes 0.1] [--rounds 1] [--quick]
  --quick    4 threads, 1,500 operations each, 100 users: a few seconds.
Run it from anywhere after installing the binding (it imports tests/goals_repository.py from
beside this file). Timings on a shared 2-core VM vary from run to run; the ratios less.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import trove  # noqa: E402
from tests.goals_repository import GOAL_STATUSES, TASK_STATUSES, Database, GoalsRepository  # noqa: E402
from trove._calls import SPEEDUPS  # noqa: E402

GOALS_PER_USER = 12
TASKS_PER_GOAL = 4
ZIPF_EXPONENT = 1.1


@dataclass
class Run:
    """One repository's measurements: latencies in nanoseconds by kind of operation."""

    name: str
    reads: list[int] = field(default_factory=list)
    hits: list[int] = field(default_factory=list)
    writes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    cache_hit_ratio: float | None = None

    @property
    def operations(self) -> int:
        return len(self.reads) + len(self.writes)

    @property
    def throughput(self) -> float:
        return self.operations / self.seconds

    @property
    def hit_ratio(self) -> float:
        return len(self.hits) / len(self.reads) if self.reads else 0.0


class Zipf:
    """Picks 0..n-1 with probability proportional to 1 / (rank + 1) ** ZIPF_EXPONENT."""

    def __init__(self, n: int) -> None:
        weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(n)]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])


def seed(path: Path, users: int) -> list[list[int]]:
    """Creates the database at ``path``: GOALS_PER_USER goals per user, TASKS_PER_GOAL tasks per goal.
    Returns each user's goal ids, by user index."""
    database = Database(path)
    goals: list[list[int]] = []
    with database.transaction() as connection:
        for user in range(users):
            ids = []
            for index in range(GOALS_PER_USER):
                cursor = connection.execute(
                    "INSERT INTO goals (user_id, title, progress, notes) VALUES (?, ?, ?, ?)",
                    (f"user{user}", f"goal {index} of user {user}", (7 * index) % 100, "notes " * 20),
                )
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
                for task in range(TASKS_PER_GOAL):
                    connection.execute(
                        "INSERT INTO tasks (goal_id, user_id, title, status) VALUES (?, ?, ?, ?)",
                        (cursor.lastrowid, f"user{user}", f"task {task}", TASK_STATUSES[task % 3]),
                    )
            goals.append(ids)
    return goals


def task_ids(path: Path) -> dict[int, list[int]]:
    """Each user's task ids, by user index."""
    database = Database(path)
    tasks: dict[int, list[int]] = {}
    for row in database.rows("SELECT id, user_id FROM tasks ORDER BY id"):
        tasks.setdefault(int(row["user_id"][4:]), []).append(row["id"])
    return tasks


def operation(
    repository: GoalsRepository,
    rng: random.Random,
    users: Zipf,
    goals: list[list[int]],
    tasks: dict[int, list[int]],
    writes: float,
    goal_choice: Zipf,
) -> tuple[bool, Callable[[], object]]:
    """The next operation of a thread: (is it a write, the call)."""
    user_index = users.pick(rng)
    user = f"user{user_index}"
    roll = rng.random()
    if roll < writes:
        kind = rng.random()
        if kind < 0.4:
            goal = goals[user_index][goal_choice.pick(rng)]
            return True, lambda: repository.update_goal(user, goal, progress=rng.randrange(100))
        if kind < 0.8:
            task = rng.choice(tasks[user_index])
            status = rng.choice(TASK_STATUSES)
            return True, lambda: repository.set_task_status(user, task, status)
        if kind < 0.9:
            return True, lambda: repository.create_goal(user, "a new goal")
        goal = goals[user_index][goal_choice.pick(rng)]
        return True, lambda: repository.complete_goal(user, goal)
    kind = rng.random()
    if kind < 0.45:
        goal = goals[user_index][goal_choice.pick(rng)]
        return False, lambda: repository.goal(user, goal)
    if kind < 0.7:
        goal_status = rng.choice([None, *GOAL_STATUSES])
        return False, lambda: repository.goals(user, goal_status)
    if kind < 0.9:
        status = rng.choice(TASK_STATUSES)
        return False, lambda: repository.tasks(user, status)
    return False, lambda: repository.dashboard(user)


def measure(
    name: str,
    seeded: Path,
    work: Path,
    cached: bool,
    arguments: argparse.Namespace,
    goals: list[list[int]],
    tasks: dict[int, list[int]],
) -> Run:
    """Runs every thread's operations against a fresh copy of the seeded database."""
    for suffix in ("", "-wal", "-shm"):
        (work.parent / (work.name + suffix)).unlink(missing_ok=True)
    with closing(sqlite3.connect(seeded)) as source, closing(sqlite3.connect(work)) as copy:
        source.backup(copy)  # the WAL's pages too, which a file copy would miss
    database = Database(work)
    cache = trove.Cache(capacity_bytes=64 << 20) if cached else None
    repository = GoalsRepository(database, cache)
    users, goal_choice = Zipf(arguments.users), Zipf(GOALS_PER_USER)
    run = Run(name)
    lock = threading.Lock()
    start = threading.Barrier(arguments.threads + 1)

    def body(index: int) -> None:
        rng = random.Random(index)
        reads: list[int] = []
        hits: list[int] = []
        written: list[int] = []
        database.rows("SELECT 1")  # this thread's connection, opened before the clock starts
        start.wait()
        for _ in range(arguments.operations):
            is_write, call = operation(repository, rng, users, goals, tasks, arguments.writes, goal_choice)
            queries = database.queries_here()
            began = time.perf_counter_ns()
            call()
            elapsed = time.perf_counter_ns() - began
            if is_write:
                written.append(elapsed)
            else:
                reads.append(elapsed)
                if cached and database.queries_here() == queries:
                    hits.append(elapsed)
        with lock:
            run.reads += reads
            run.hits += hits
            run.writes += written

    threads = [threading.Thread(target=body, args=(index,)) for index in range(arguments.threads)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - began
    if cache is not None:
        run.cache_hit_ratio = cache.stats().hit_ratio
        cache.close()
    return run


def quantile(values: Sequence[int], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1000 if ordered else float("nan")


def median_us(values: Sequence[int]) -> float:
    return statistics.median(values) / 1000 if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--operations", type=int, default=4000, help="operations per thread")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--writes", type=float, default=0.1, help="fraction of operations that write")
    parser.add_argument("--rounds", type=int, default=1, help="uncached/cached pairs; the medians are reported")
    parser.add_argument("--quick", action="store_true", help="4 threads, 1,500 operations each, 100 users")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.threads, arguments.operations, arguments.users = 4, 1500, 100
    with tempfile.TemporaryDirectory(prefix="trove-bench-repository-") as folder:
        seeded = Path(folder) / "seeded.sqlite3"
        goals = seed(seeded, arguments.users)
        tasks = task_ids(seeded)
        work = Path(folder) / "work.sqlite3"
        print(
            f"{arguments.threads} threads x {arguments.operations} operations, {arguments.users} users "
            f"(Zipf {ZIPF_EXPONENT}) x {GOALS_PER_USER} goals x {TASKS_PER_GOAL} tasks, "
            f"{arguments.writes:.0%} writes; trove {'C hot calls' if SPEEDUPS else 'ctypes only'}, "
            f"SQLite {sqlite3.sqlite_version} (WAL)"
        )
        pairs = [
            (
                measure("uncached", seeded, work, False, arguments, goals, tasks),
                measure("cached", seeded, work, True, arguments, goals, tasks),
            )
            for _ in range(arguments.rounds)
        ]
    report(pairs)
    return 0


def report(pairs: list[tuple[Run, Run]]) -> None:
    """Prints the table (medians over rounds) and the speedups."""

    def over_rounds(value: Callable[[Run], float], which: int) -> float:
        return statistics.median(value(pair[which]) for pair in pairs)

    print(
        f"\n{'':10s} {'ops/s':>9s} {'hit ratio':>9s} {'read p50':>9s} {'read p99':>9s} "
        f"{'hit p50':>9s} {'hit p99':>9s} {'write p50':>9s}   (latencies in µs)"
    )
    for which, name in enumerate(("uncached", "cached")):
        hit_ratio = over_rounds(lambda run: run.hit_ratio, which) if which else None
        print(
            f"{name:10s} {over_rounds(lambda run: run.throughput, which):9,.0f} "
            f"{'-' if hit_ratio is None else f'{hit_ratio:.1%}':>9s} "
            f"{over_rounds(lambda run: median_us(run.reads), which):9.1f} "
            f"{over_rounds(lambda run: quantile(run.reads, 0.99), which):9.1f} "
            f"{'-' if not which else f'{over_rounds(lambda run: median_us(run.hits), which):.1f}':>9s} "
            f"{'-' if not which else f'{over_rounds(lambda run: quantile(run.hits, 0.99), which):.1f}':>9s} "
            f"{over_rounds(lambda run: median_us(run.writes), which):9.1f}"
        )
    uncached_read = over_rounds(lambda run: median_us(run.reads), 0)
    cached_hit = over_rounds(lambda run: median_us(run.hits), 1)
    cached_read = over_rounds(lambda run: median_us(run.reads), 1)
    engine_ratio = over_rounds(lambda run: run.cache_hit_ratio or 0.0, 1)
    print(
        f"\nhit speedup: a cached hit's median {uncached_read / cached_hit:.1f}x faster than an uncached read "
        f"({cached_hit:.1f} vs {uncached_read:.1f} µs); all cached reads {uncached_read / cached_read:.1f}x; "
        f"throughput {over_rounds(lambda run: run.throughput, 1) / over_rounds(lambda run: run.throughput, 0):.1f}x"
    )
    print(f"the cache's own hit ratio (get_or_load hits / lookups): {engine_ratio:.1%}")


if __name__ == "__main__":
    sys.exit(main())
