"""The goals-and-tasks service layer over a real SQLite database, cached in Trove by tags.

Each test is one behaviour of the cached-repository pattern (see goals_repository.py):
what a hit, a miss and each write cost in queries, which entries each write invalidates
(checked entry by entry with ``contains``, which counts nothing), what happens when the
database or the cache fails, and that no thread is ever served a value older than the
last write that had finished when its read began.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

import trove

from .goals_repository import (
    DASHBOARD_REFRESH,
    GOAL_STATUSES,
    TASK_STATUSES,
    Database,
    Goal,
    GoalsRepository,
    Task,
)
from .test_concurrency import run_threads
from .test_get_or_load import stampede

USERS = ("ada", "grace", "user123", "user1234")  # user1234 shares user123's prefix: globs must tell them apart
GOALS_PER_USER = 4
TASKS_PER_USER = 6
TIMEOUT = 30.0


def seed(database: Database, users: tuple[str, ...] = USERS, notes: Callable[[str], str] = lambda title: "") -> None:
    """Gives each user GOALS_PER_USER active goals (with ``notes(title)``) and TASKS_PER_USER
    tasks of the first, two of each status."""
    with database.transaction() as connection:
        for user in users:
            for index in range(GOALS_PER_USER):
                title = f"{user} goal {index}"
                cursor = connection.execute(
                    "INSERT INTO goals (user_id, title, progress, notes) VALUES (?, ?, ?, ?)",
                    (user, title, 10 * index, notes(title)),
                )
                if index == 0:
                    first = cursor.lastrowid
            for index in range(TASKS_PER_USER):
                connection.execute(
                    "INSERT INTO tasks (goal_id, user_id, title, status) VALUES (?, ?, ?, ?)",
                    (first, user, f"{user} task {index}", TASK_STATUSES[index % len(TASK_STATUSES)]),
                )


@pytest.fixture
def database(tmp_path: Path) -> Database:
    database = Database(tmp_path / "goals.sqlite3")
    seed(database)
    return database


@pytest.fixture
def repository(cache: trove.Cache, database: Database) -> GoalsRepository:
    return GoalsRepository(database, cache)


def peek(database: Database, sql: str, parameters: tuple[object, ...]) -> list[tuple[object, ...]]:
    """Rows read on a connection of the test's own, not counted as the repository's queries."""
    with closing(sqlite3.connect(database.path)) as connection:
        return connection.execute(sql, parameters).fetchall()


def goal_ids(database: Database, user: str) -> list[int]:
    return [row[0] for row in peek(database, "SELECT id FROM goals WHERE user_id = ? ORDER BY id", (user,))]  # type: ignore[misc]


def task_ids(database: Database, user: str) -> list[int]:
    return [row[0] for row in peek(database, "SELECT id FROM tasks WHERE user_id = ? ORDER BY id", (user,))]  # type: ignore[misc]


def keys_of(database: Database, user: str) -> dict[str, str]:
    """Every key the repository caches for ``user``, by a short name (goal:<id>, goals:<status>, dashboard, ...)."""
    keys = {f"goal:{goal}": f"user:goal:{goal}:{user}" for goal in goal_ids(database, user)}
    keys |= {f"goals:{status}": f"user:goals:{status}:{user}" for status in ("all", *GOAL_STATUSES)}
    keys["dashboard"] = f"user:dashboard:{user}"
    keys |= {f"tasks:{status}": f"user:tasks:{status}:{user}" for status in TASK_STATUSES}
    return keys


def warm(repository: GoalsRepository, user: str) -> None:
    """Reads everything of ``user`` once, so all of it is cached."""
    for goal in goal_ids(repository.database, user):
        repository.goal(user, goal)
    repository.goals(user)
    for status in GOAL_STATUSES:
        repository.goals(user, status)
    repository.dashboard(user)
    for status in TASK_STATUSES:
        repository.tasks(user, status)


def cached_names(cache: trove.Cache, database: Database, user: str) -> set[str]:
    """Which of ``user``'s entries are cached now (``contains`` counts no hit and starts no refresh)."""
    return {name for name, key in keys_of(database, user).items() if cache.contains(key)}


def truth(database: Database, user: str) -> dict[str, object]:
    """Everything the repository answers for ``user``, straight from the database."""
    uncached = GoalsRepository(database, None)
    answers: dict[str, object] = {f"goal:{goal}": uncached.goal(user, goal) for goal in goal_ids(database, user)}
    answers["goals:all"] = uncached.goals(user)
    answers |= {f"goals:{status}": uncached.goals(user, status) for status in GOAL_STATUSES}
    answers["dashboard"] = uncached.dashboard(user)
    answers |= {f"tasks:{status}": uncached.tasks(user, status) for status in TASK_STATUSES}
    return answers


def answers(repository: GoalsRepository, user: str) -> dict[str, object]:
    """Everything the repository answers for ``user``, through its cache."""
    database = repository.database
    found: dict[str, object] = {f"goal:{goal}": repository.goal(user, goal) for goal in goal_ids(database, user)}
    found["goals:all"] = repository.goals(user)
    found |= {f"goals:{status}": repository.goals(user, status) for status in GOAL_STATUSES}
    found["dashboard"] = repository.dashboard(user)
    found |= {f"tasks:{status}": repository.tasks(user, status) for status in TASK_STATUSES}
    return found


# Reads.


def test_a_hit_answers_without_a_query(repository: GoalsRepository, database: Database) -> None:
    warm(repository, "ada")
    before = database.queries
    found = answers(repository, "ada")
    assert database.queries == before, "a cached read queried the database"
    assert found == truth(database, "ada")


def test_a_miss_queries_once_and_caches(repository: GoalsRepository, database: Database, cache: trove.Cache) -> None:
    goal = goal_ids(database, "ada")[1]
    before = database.queries
    assert repository.goal("ada", goal) == Goal(goal, "ada", "ada goal 1", "active", 10, 1)
    assert database.queries == before + 1
    assert cache.contains(f"user:goal:{goal}:ada")
    assert repository.goal("ada", goal) is not None and database.queries == before + 1
    # Sixteen threads missing one key at once: one query between them (single flight).
    other = goal_ids(database, "ada")[2]
    results = stampede(16, lambda: repository.goal("ada", other))
    assert {result.id for result in results} == {other}  # type: ignore[attr-defined]
    assert database.queries == before + 2
    # A goal that is not there is not cached: every read asks again.
    assert repository.goal("ada", 10_000) is None and repository.goal("ada", 10_000) is None
    assert database.queries == before + 4
    assert repository.goal("grace", goal) is None, "another user's goal is not ada's"


def test_an_item_and_its_list_are_cached_separately(
    repository: GoalsRepository, database: Database, cache: trove.Cache
) -> None:
    first, second = goal_ids(database, "ada")[:2]
    repository.goal("ada", first)
    assert cached_names(cache, database, "ada") == {f"goal:{first}"}
    before = database.queries
    listed = repository.goals("ada")
    assert database.queries == before + 1, "the list is its own entry: reading the item did not fill it"
    assert cached_names(cache, database, "ada") == {f"goal:{first}", "goals:all"}
    assert repository.goal("ada", second) == listed[1] and database.queries == before + 2
    # Dropping the item's key leaves the list cached, and the other way round.
    cache.delete(f"user:goal:{first}:ada")
    assert repository.goals("ada") == listed and database.queries == before + 2
    cache.delete("user:goals:all:ada")
    assert repository.goal("ada", second) == listed[1] and database.queries == before + 2


# Writes and what they invalidate.


def test_creating_a_goal_invalidates_the_lists_and_dashboard_only(
    repository: GoalsRepository, database: Database, cache: trove.Cache
) -> None:
    for user in USERS:
        warm(repository, user)
    everything = set(keys_of(database, "ada"))
    created = repository.create_goal("ada", "learn the bassoon")
    lists_and_dashboard = {"goals:all", "goals:active", "goals:completed", "dashboard"}
    assert cached_names(cache, database, "ada") == everything - lists_and_dashboard
    for user in USERS[1:]:
        assert cached_names(cache, database, user) == set(keys_of(database, user)), f"{user}'s entries were touched"
    assert repository.goals("ada")[-1] == created
    assert created in repository.goals("ada", "active") and created not in repository.goals("ada", "completed")
    assert repository.dashboard("ada")["goals"] == {"active": GOALS_PER_USER + 1, "completed": 0}
    assert answers(repository, "ada") == truth(database, "ada")


@pytest.mark.parametrize("write", ["update", "complete"])
def test_updating_or_completing_a_goal_invalidates_its_detail_lists_and_dashboard(
    repository: GoalsRepository, database: Database, cache: trove.Cache, write: str
) -> None:
    for user in USERS:
        warm(repository, user)
    target, other = goal_ids(database, "ada")[:2]
    if write == "update":
        written = repository.update_goal("ada", target, title="run a marathon", progress=55)
        assert (written.title, written.progress, written.status) == ("run a marathon", 55, "active")
    else:
        written = repository.complete_goal("ada", target)
        assert (written.status, written.progress) == ("completed", 100)
    assert written.version == 2
    invalidated = {f"goal:{target}", "goals:all", "goals:active", "goals:completed", "dashboard"}
    assert cached_names(cache, database, "ada") == set(keys_of(database, "ada")) - invalidated
    assert f"goal:{other}" in cached_names(cache, database, "ada")
    for user in USERS[1:]:
        assert cached_names(cache, database, user) == set(keys_of(database, user))
    assert repository.goal("ada", target) == written
    assert answers(repository, "ada") == truth(database, "ada")
    if write == "complete":
        assert repository.goals("ada", "completed") == [written]
        assert repository.dashboard("ada")["goals"] == {"active": GOALS_PER_USER - 1, "completed": 1}


def test_a_task_status_change_invalidates_the_users_task_lists_by_status(
    repository: GoalsRepository, database: Database, cache: trove.Cache
) -> None:
    for user in USERS:
        warm(repository, user)
    task = repository.tasks("user123", "todo")[0]
    moved = repository.set_task_status("user123", task.id, "done")
    assert moved == Task(task.id, task.goal_id, "user123", task.title, "done", 2)
    task_lists = {f"tasks:{status}" for status in TASK_STATUSES}
    assert cached_names(cache, database, "user123") == set(keys_of(database, "user123")) - task_lists - {"dashboard"}
    # The glob user:tasks:*:user123 leaves user1234's lists (and everyone else's) alone.
    for user in ("ada", "grace", "user1234"):
        assert cached_names(cache, database, user) == set(keys_of(database, user)), f"{user}'s entries were touched"
    assert task.id not in [each.id for each in repository.tasks("user123", "todo")]
    assert moved in repository.tasks("user123", "done")
    assert repository.dashboard("user123")["tasks"] == {"todo": 1, "doing": 2, "done": 3}
    assert answers(repository, "user123") == truth(database, "user123")


def test_single_key_invalidation_removes_that_entry_alone(
    repository: GoalsRepository, database: Database, cache: trove.Cache
) -> None:
    """A new task drops the dashboard by its key: the goal lists, which share its tag, stay."""
    warm(repository, "ada")
    repository.add_task("ada", goal_ids(database, "ada")[0], "buy a reed")
    cached = cached_names(cache, database, "ada")
    assert "dashboard" not in cached and {"goals:all", "goals:active", "goals:completed"} <= cached
    before = database.queries
    assert repository.dashboard("ada")["tasks"]["todo"] == 3
    assert database.queries == before + 3  # the dashboard's three queries, once
    repository.goals("ada")
    assert database.queries == before + 3


def test_pattern_invalidation_removes_the_matching_keys_only(
    repository: GoalsRepository, database: Database, cache: trove.Cache
) -> None:
    for user in USERS:
        warm(repository, user)
    assert cache.invalidate_glob("user:tasks:*:user123") == len(TASK_STATUSES)
    assert cache.invalidate_glob("user:tasks:*:user123") == 0
    assert not cached_names(cache, database, "user123") & {f"tasks:{status}" for status in TASK_STATUSES}
    assert cached_names(cache, database, "user1234") == set(keys_of(database, "user1234"))


def test_cascading_invalidation_drops_everything_of_one_user(
    repository: GoalsRepository, database: Database, cache: trove.Cache
) -> None:
    for user in USERS:
        warm(repository, user)
    assert cache.stats().tagged_entries == len(USERS) * len(keys_of(database, "ada"))
    assert repository.forget_user("user123") == len(keys_of(database, "user123"))
    assert cached_names(cache, database, "user123") == set()
    for user in ("ada", "grace", "user1234"):
        assert cached_names(cache, database, user) == set(keys_of(database, user))
    assert answers(repository, "user123") == truth(database, "user123")


# Failures.


def test_a_database_error_is_not_cached_and_reaches_the_caller(
    repository: GoalsRepository, database: Database, cache: trove.Cache
) -> None:
    goal = goal_ids(database, "grace")[0]
    error = sqlite3.OperationalError("disk I/O error")
    database.fail_next(error)
    with pytest.raises(sqlite3.OperationalError) as raised:
        repository.goal("grace", goal)
    assert raised.value is error  # the loader's very exception, through get_or_load
    assert not cache.contains(f"user:goal:{goal}:grace")
    before = database.queries
    assert repository.goal("grace", goal) is not None and database.queries == before + 1
    assert repository.goal("grace", goal) is not None and database.queries == before + 1
    # A write that fails changes nothing: neither the database nor the cache.
    database.fail_next(sqlite3.OperationalError("database is locked"))
    with pytest.raises(sqlite3.OperationalError):
        repository.complete_goal("grace", goal)
    assert cache.contains(f"user:goal:{goal}:grace")
    assert repository.goal("grace", goal) == truth(database, "grace")[f"goal:{goal}"]


def test_a_closed_cache_degrades_to_the_database(
    repository: GoalsRepository, database: Database, cache: trove.Cache
) -> None:
    warm(repository, "ada")
    cache.close()
    before = database.queries
    assert answers(repository, "ada") == truth(database, "ada")
    assert repository.cache_errors > 0 and database.queries > before
    goal = goal_ids(database, "ada")[0]
    assert repository.complete_goal("ada", goal).status == "completed"  # writes go on
    assert not repository.trusts_cache  # its invalidation failed: the cache is not read again
    assert repository.goal("ada", goal).status == "completed"  # type: ignore[union-attr]
    assert answers(repository, "ada") == truth(database, "ada")


def test_a_corrupted_disk_tier_degrades_to_the_database_and_never_answers_wrong(tmp_path: Path) -> None:
    """Goals of 2 KiB spill from a 1 MiB memory tier to disk; the region file is then
    overwritten with noise. Every answer still equals the database's: a record that fails
    its checksum is a miss, which queries again."""
    users = tuple(f"bulk{index}" for index in range(600))  # 2,400 goals of 2 KiB: 5 MiB, most on disk
    database = Database(tmp_path / "goals.sqlite3")
    seed(database, users, notes=lambda title: random.Random(title).randbytes(1024).hex())
    directory = tmp_path / "cold"
    cache = trove.Cache(capacity_bytes=1 << 20, path=directory, disk_capacity_bytes=64 << 20, compression_threshold=0)
    with cache:
        repository = GoalsRepository(database, cache)
        expected = {(user, goal): repository.goal(user, goal) for user in users for goal in goal_ids(database, user)}
        assert cache.stats().disk_demotions > 1000
        cache.flush()
        regions = directory / "trove-cold.regions"
        noise = random.Random(7)
        written = min(regions.stat().st_size, cache.stats().disk_bytes_written + (1 << 20))
        with regions.open("r+b") as file:
            for offset in range(0, written, 1 << 20):  # every region written so far
                file.seek(offset)
                file.write(noise.randbytes(1 << 20))
            file.flush()
            os.fsync(file.fileno())
        before = database.queries
        for (user, goal), value in expected.items():
            assert repository.goal(user, goal) == value
        stats = cache.stats()
        assert database.queries - before >= stats.disk_checksum_failures > 0  # each failure queried again
        # Writes still invalidate, in memory and on disk.
        user, goal = next(iter(expected))
        assert repository.complete_goal(user, goal) == repository.goal(user, goal)


# Concurrency.


STALE_TASK_LIST = "a task list staler than a write that returned before the read began"
STALE_GOAL = "a goal entry staler than this thread's own write"


def quiescent_mismatches(repository: GoalsRepository, database: Database, user: str) -> list[str]:
    """The names of ``user``'s entries whose answer through the cache differs from the database's."""
    found, expected = answers(repository, user), truth(database, user)
    return [name for name in expected if found[name] != expected[name]]


def assert_no_stale_reads(stale: dict[str, list[str]]) -> None:
    """Fails naming each kind of stale read seen, with a count and an example."""
    seen = {kind: reads for kind, reads in stale.items() if reads}
    assert not seen, "; ".join(f"{len(reads)} stale, e.g. {reads[0]}: {kind}" for kind, reads in seen.items())


def test_concurrent_reads_and_writes_never_serve_a_stale_value(repository: GoalsRepository, database: Database) -> None:
    """Two writers (goal updates and completions, task moves) and six readers on the same
    users: a read that begins after a write returned sees that write or a later one. No
    lock in the repository: the engine refuses to cache a load that began before an
    invalidation of its key, by a glob, or of one of its tags.

    Goals (invalidated by tags, each by one writer) and task lists (invalidated by a glob)
    are both checked: a tag invalidation must not let a load in flight outlive a later
    write of its key."""
    users = ("ada", "grace")
    goals = {user: goal_ids(database, user) for user in users}
    tasks = {user: task_ids(database, user) for user in users}
    goal_floor = {goal: 1 for user in users for goal in goals[user]}
    task_floor = {task: 1 for user in users for task in tasks[user]}
    stale_tasks: list[str] = []
    writers = 2
    running = [writers]
    lock = threading.Lock()
    done = threading.Event()

    def write(index: int) -> None:
        rng = random.Random(index)
        user = users[index]  # each writer owns a user, so versions grow one writer at a time
        try:
            for step in range(150):
                roll = rng.random()
                if roll < 0.5:
                    goal = rng.choice(goals[user])
                    goal_floor[goal] = repository.update_goal(user, goal, progress=step % 100).version
                elif roll < 0.6:
                    goal = rng.choice(goals[user])
                    goal_floor[goal] = repository.complete_goal(user, goal).version
                else:
                    task = rng.choice(tasks[user])
                    task_floor[task] = repository.set_task_status(user, task, rng.choice(TASK_STATUSES)).version
        finally:
            with lock:
                running[0] -= 1
                if not running[0]:
                    done.set()  # the readers stop

    def read(index: int) -> None:
        rng = random.Random(index)
        while not done.is_set():
            user = rng.choice(users)
            roll = rng.random()
            if roll < 0.4:
                goal = rng.choice(goals[user])
                floor = goal_floor[goal]
                found = repository.goal(user, goal)
                assert found is not None and found.version >= floor, f"stale goal {found} after version {floor}"
            elif roll < 0.7:
                floors = dict(goal_floor)
                for found in repository.goals(user, rng.choice([None, *GOAL_STATUSES])):
                    assert found.version >= floors[found.id], f"stale listed goal {found}"
            else:
                floors = dict(task_floor)
                for task in repository.tasks(user, rng.choice(TASK_STATUSES)):
                    if task.version < floors[task.id]:
                        stale_tasks.append(f"listed {task} after version {floors[task.id]}")

    assert run_threads(lambda index: write(index) if index < writers else read(index)) == []
    for user in users:  # quiescent: everything cached equals the database
        mismatched = quiescent_mismatches(repository, database, user)
        assert not [name for name in mismatched if not name.startswith("tasks:")], mismatched
        stale_tasks.extend(f"{user}'s {name} once quiet" for name in mismatched)
    assert_no_stale_reads({STALE_TASK_LIST: stale_tasks})


def test_concurrent_write_throughs_of_one_user_leave_the_cache_equal_to_the_database(
    repository: GoalsRepository, database: Database
) -> None:
    """Eight threads create, update and complete goals and move tasks of the same user at
    once, each reading back what it wrote; then every cached answer equals the database.

    No read back may be staler than the thread's own write: not after another thread
    invalidated the same tags at once (tag invalidations of a cache run one at a time),
    nor a task list after a goal write's tag invalidation.
    """
    user = "user123"
    warm(repository, user)
    stale: dict[str, list[str]] = {STALE_GOAL: [], STALE_TASK_LIST: []}

    def work(index: int) -> None:
        rng = random.Random(index)
        for step in range(40):
            roll = rng.random()
            if roll < 0.2:
                created = repository.create_goal(user, f"goal {index}.{step}")
                if created.id not in [each.id for each in repository.goals(user)]:
                    stale[STALE_GOAL].append(f"created {created} not listed")
            elif roll < 0.6:
                goal = rng.choice(goal_ids(database, user))
                written = repository.update_goal(user, goal, title=f"title {index}.{step}")
                found = repository.goal(user, goal)
                assert found is not None
                if found.version < written.version:
                    stale[STALE_GOAL].append(f"wrote {written}, read {found}")
            elif roll < 0.7:
                goal = rng.choice(goal_ids(database, user))
                repository.complete_goal(user, goal)
                if goal not in [each.id for each in repository.goals(user, "completed")]:
                    stale[STALE_GOAL].append(f"completed goal {goal} not listed as completed")
            else:
                task = rng.choice(task_ids(database, user))
                status = rng.choice(TASK_STATUSES)
                moved = repository.set_task_status(user, task, status)  # as this thread wrote it
                listed = {each.id: each for each in repository.tasks(user, status)}
                if task in listed:
                    if listed[task].version < moved.version:
                        stale[STALE_TASK_LIST].append(f"listed {listed[task]} after writing {moved}")
                elif repository._select_task(task).version == moved.version:  # not moved since by another thread
                    stale[STALE_TASK_LIST].append(f"{moved} not listed")

    assert run_threads(work) == []
    mismatched = quiescent_mismatches(repository, database, user)
    assert not [name for name in mismatched if not name.startswith("tasks:")], mismatched
    stale[STALE_TASK_LIST].extend(f"{name} once quiet" for name in mismatched)
    assert repository.cache_errors == 0
    assert_no_stale_reads(stale)


# Time to live and refresh-ahead.


def test_each_class_of_entry_has_its_own_ttl(
    repository: GoalsRepository, database: Database, cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    warm(repository, "ada")
    everything = set(keys_of(database, "ada"))
    task_lists = {f"tasks:{status}" for status in TASK_STATUSES}
    advance_clock(119)  # the test clock: a second of real time to spare before the task lists' 2 minutes
    assert cached_names(cache, database, "ada") == everything
    advance_clock(2)
    assert cached_names(cache, database, "ada") == everything - task_lists
    before = database.queries
    repository.goals("ada")
    repository.goal("ada", goal_ids(database, "ada")[0])
    assert database.queries == before  # models live for days
    repository.tasks("ada", "todo")
    assert database.queries == before + 1
    advance_clock(10 * 60)  # past the dashboard's 10 minutes
    assert "dashboard" not in cached_names(cache, database, "ada")
    advance_clock(2 * 24 * 3600)  # past the models' 2 days
    assert cached_names(cache, database, "ada") == set()


def test_the_dashboard_is_refreshed_ahead_without_making_a_reader_wait(
    repository: GoalsRepository, database: Database, cache: trove.Cache, advance_clock: Callable[[float], None]
) -> None:
    old = repository.dashboard("grace")
    # Another service adds a task behind the repository's back (no invalidation).
    with database.transaction() as connection:
        connection.execute("INSERT INTO tasks (goal_id, user_id, title) VALUES (?, 'grace', 'new')", (1,))
    advance_clock(DASHBOARD_REFRESH.total_seconds() + 1)
    before = database.queries
    assert repository.dashboard("grace") == old  # at once, from the cache; the reload runs behind
    deadline = time.monotonic() + TIMEOUT
    while cache.stats().refreshes < 1 or repository.dashboard("grace") == old:
        assert time.monotonic() < deadline, "the dashboard was not refreshed"
        time.sleep(0.001)  # a poll interval, not a synchronisation: the condition is the cached value
    assert repository.dashboard("grace")["tasks"]["todo"] == old["tasks"]["todo"] + 1
    assert database.queries == before + 3  # the reload's three queries, on the library's thread
    assert cache.stats().refresh_failures == 0
