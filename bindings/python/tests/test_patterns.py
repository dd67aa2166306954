"""Cache-aside and write-through over SQLite: reads are cached, writes invalidate, nothing stale is served."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import nullcontext

import trove

from .cached_repository import User, UserRepository
from .test_concurrency import run_threads

TEAMS = ("red", "green", "blue")
USERS = 24


def seeded(cache: trove.Cache, **options: object) -> UserRepository:
    repository = UserRepository(cache, **options)  # type: ignore[arg-type]
    for user_id in range(USERS):
        repository.add(user_id, f"user {user_id}", TEAMS[user_id % len(TEAMS)])
    return repository


def test_a_read_is_cached(cache: trove.Cache) -> None:
    repository = seeded(cache)
    reads = repository.database_reads
    assert repository.user(1) == User(1, "user 1", "green", 1)
    assert repository.user(1) == User(1, "user 1", "green", 1)
    assert repository.team_size("red") == 8 and repository.team_size("red") == 8
    assert repository.database_reads == reads + 2
    assert repository.user(999) is None and repository.user(999) is None  # misses are not cached


def test_a_write_invalidates_the_user_and_its_team_only(cache: trove.Cache) -> None:
    repository = seeded(cache)
    for team in TEAMS:
        repository.team_members(team)
        repository.team_size(team)
    repository.user(0)
    repository.rename(0, "Ada")
    reads = repository.database_reads
    assert repository.user(0) == User(0, "Ada", "red", 2)
    assert repository.team_members("red")[0].name == "Ada"
    assert repository.team_size("red") == 8
    assert repository.team_members("green") and repository.team_size("blue") == 8  # still cached
    assert repository.database_reads == reads + 3


def test_write_through_serves_the_new_value_without_a_read(cache: trove.Cache) -> None:
    repository = seeded(cache)
    repository.user(3)
    repository.rename_write_through(3, "Grace")
    reads = repository.database_reads
    assert repository.user(3) == User(3, "Grace", "red", 2)
    assert repository.database_reads == reads


def test_a_move_invalidates_both_teams(cache: trove.Cache) -> None:
    repository = seeded(cache)
    assert (repository.team_size("red"), repository.team_size("blue")) == (8, 8)
    repository.move(0, "blue")
    assert (repository.team_size("red"), repository.team_size("blue")) == (7, 9)
    assert [user.id for user in repository.team_members("blue")][0] == 0
    assert repository.user(0) == User(0, "user 0", "blue", 2)


class UnlockedRepository(UserRepository):
    """The same repository without the fill/invalidate lock: shows the race the lock closes."""

    def _locked(self, units: list[tuple[str, object]]) -> Iterator[None]:  # type: ignore[override]
        return nullcontext()  # type: ignore[return-value]


class WatchedLock:
    """A lock stripe that sets ``waited`` when a thread finds it taken and has to wait."""

    def __init__(self, waited: threading.Event) -> None:
        self._lock = threading.Lock()
        self._waited = waited

    def __enter__(self) -> WatchedLock:
        if not self._lock.acquire(blocking=False):
            self._waited.set()
            self._lock.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


HANG = 30  # seconds: only turns a hang into a failure; every wait below ends on an event


def race_a_fill_against_a_write(repository_class: type[UserRepository], cache: trove.Cache) -> User | None:
    """A reader misses user:5 and reads the row; a rename runs; then the reader fills. Returns what is cached after.

    The reader holds its fill until the rename has either returned (nothing stopped it) or
    waits for the reader's lock stripe: events stage the interleaving, not sleeps.
    """
    row_read = threading.Event()
    rename_returned = threading.Event()
    rename_progressed = threading.Event()  # it returned, or it waits for a lock stripe
    seen: dict[str, bool] = {}

    def before_fill(key: str) -> None:
        if key == "user:5" and not row_read.is_set():
            row_read.set()
            seen["rename progressed"] = rename_progressed.wait(timeout=HANG)
            seen["rename returned"] = rename_returned.is_set()

    repository = repository_class(cache, before_fill=before_fill)
    repository._unit_locks = [WatchedLock(rename_progressed) for _ in range(repository.LOCK_STRIPES)]
    repository.add(5, "old", "red")
    reader = threading.Thread(target=repository.user, args=(5,))
    reader.start()
    assert row_read.wait(timeout=HANG), "the reader never reached its fill"
    repository.rename(5, "new")
    rename_returned.set()
    rename_progressed.set()
    reader.join(timeout=HANG)
    assert not reader.is_alive()
    # With the lock, the rename waited for the fill; without it, it returned before the fill.
    locked = repository_class is UserRepository
    assert seen == {"rename progressed": True, "rename returned": not locked}, seen
    return repository.user(5)


def test_a_fill_racing_a_write_never_leaves_a_stale_value(cache: trove.Cache) -> None:
    assert race_a_fill_against_a_write(UserRepository, cache) == User(5, "new", "red", 2)
    cache.clear()
    stale = race_a_fill_against_a_write(UnlockedRepository, cache)
    assert stale == User(5, "old", "red", 1), "without the lock the old row is served after the write"


def test_no_stale_value_is_ever_served_under_concurrency(cache: trove.Cache) -> None:
    """Two writers, six readers: a read that starts after a write finished sees that write or a later one."""
    repository = seeded(cache)
    finished = [1] * USERS  # per user, the version of the last write that has returned
    writers_done = threading.Event()
    writers = 2

    def work(index: int) -> None:
        rng = random.Random(index)
        if index < writers:
            mine = [user_id for user_id in range(USERS) if user_id % writers == index]
            for step in range(300):
                user_id = rng.choice(mine)
                roll = rng.random()
                if roll < 0.45:
                    repository.rename(user_id, f"name {step}")
                elif roll < 0.9:
                    repository.rename_write_through(user_id, f"name {step}")
                else:
                    repository.move(user_id, rng.choice(TEAMS))
                finished[user_id] += 1
            if index == 0:
                writers_done.set()
            return
        for _ in range(20_000):
            if writers_done.is_set():
                return
            if rng.random() < 0.6:
                user_id = rng.randrange(USERS)
                floor = finished[user_id]
                user = repository.user(user_id)
                assert user is not None and user.version >= floor, f"stale user {user} after version {floor}"
            else:
                floors = list(finished)
                for user in repository.team_members(rng.choice(TEAMS)):
                    assert user.version >= floors[user.id], f"stale team member {user}"

    assert run_threads(work) == []
    # Quiescent: everything cached now equals the database.
    for user_id in range(USERS):
        assert repository.user(user_id) == User(**repository._select_user(user_id))  # type: ignore[arg-type]
    for team in TEAMS:
        assert repository.team_members(team) == [User(**row) for row in repository._select_team(team)]  # type: ignore[arg-type]
        assert repository.team_size(team) == len(repository._select_team(team))
