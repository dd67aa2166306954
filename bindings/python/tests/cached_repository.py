"""A cached repository over SQLite, as a web service would write one with Trove.

Reads are cache-aside: look in the cache, else read the database and fill the cache.
Writes go to the database first, then either invalidate what they changed (keys and
key prefixes) or, for write-through, put the new value. Used by test_patterns.py.

Why a miss takes a lock: without one, a reader could read a row, a writer could update
it and invalidate, and the reader would then fill the cache with the old row, served
until its TTL. Here a fill and an invalidation of the same unit (a user, a team) hold
the same lock, so a fill either lands before the write (and is invalidated by it) or
reads the database after it. Hits take no lock. The lock also coalesces concurrent
misses of one key into one database read. It is per process: several processes sharing
one cache directory would need the same ordering across processes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import trove

TTL_SECONDS = 300  # a safety net: entries are invalidated on write, not left to expire


@dataclass(frozen=True)
class User:
    """A row of the users table. ``version`` counts the writes to the row."""

    id: int
    name: str
    team: str
    version: int


class UserRepository:
    """Users and teams over SQLite, cached in a ``trove.Cache``.

    Cache keys: ``user:<id>`` (one user) and ``team:<name>:members`` /
    ``team:<name>:count`` (every key under ``team:<name>:`` depends on that team's
    members, so a write invalidates the prefix). ``database_reads`` counts queries.
    """

    LOCK_STRIPES = 64

    def __init__(self, cache: trove.Cache, before_fill: Callable[[str], None] | None = None) -> None:
        """``before_fill(key)``, if given, runs between a miss's database read and its cache fill (for tests)."""
        self.cache = cache
        self.database_reads = 0
        self._before_fill = before_fill or (lambda key: None)
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db_lock = threading.Lock()
        self._unit_locks = [threading.Lock() for _ in range(self.LOCK_STRIPES)]
        self._db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, team TEXT, version INTEGER)")

    # Reads: cache-aside.

    def user(self, user_id: int) -> User | None:
        """The user, from the cache or else the database (then cached)."""
        found = self._read_through(f"user:{user_id}", [("user", user_id)], lambda: self._select_user(user_id))
        return None if found is None else User(**found)

    def team_members(self, team: str) -> list[User]:
        """The team's users by id, from the cache or else the database (then cached)."""
        rows = self._read_through(f"team:{team}:members", [("team", team)], lambda: self._select_team(team))
        return [User(**row) for row in rows]

    def team_size(self, team: str) -> int:
        """How many users the team has, from the cache or else the database (then cached)."""
        size: int = self._read_through(f"team:{team}:count", [("team", team)], lambda: len(self._select_team(team)))
        return size

    # Writes: database first, then invalidate (or write through).

    def add(self, user_id: int, name: str, team: str) -> None:
        """Inserts a user; invalidates the team's keys."""
        with self._locked([("user", user_id), ("team", team)]):
            self._write("INSERT INTO users VALUES (?, ?, ?, 1)", (user_id, name, team))
            self.cache.delete(f"user:{user_id}")
            self.cache.invalidate_prefix(f"team:{team}:")

    def rename(self, user_id: int, name: str) -> None:
        """Renames a user; invalidates ``user:<id>`` and the team's keys (they list names)."""
        current = self._select_user(user_id)
        assert current is not None
        with self._locked([("user", user_id), ("team", current["team"])]):
            self._write("UPDATE users SET name = ?, version = version + 1 WHERE id = ?", (name, user_id))
            self.cache.delete(f"user:{user_id}")
            self.cache.invalidate_prefix(f"team:{current['team']}:")

    def rename_write_through(self, user_id: int, name: str) -> None:
        """Renames a user and puts the new row in the cache (write-through); invalidates the team's keys."""
        current = self._select_user(user_id)
        assert current is not None
        with self._locked([("user", user_id), ("team", current["team"])]):
            self._write("UPDATE users SET name = ?, version = version + 1 WHERE id = ?", (name, user_id))
            self.cache.put(f"user:{user_id}", _encode(self._select_user(user_id)), ttl=TTL_SECONDS)
            self.cache.invalidate_prefix(f"team:{current['team']}:")

    def move(self, user_id: int, team: str) -> None:
        """Moves a user to another team; invalidates the user and both teams (a glob over both)."""
        current = self._select_user(user_id)
        assert current is not None
        old = current["team"]
        with self._locked([("user", user_id), ("team", old), ("team", team)]):
            self._write("UPDATE users SET team = ?, version = version + 1 WHERE id = ?", (team, user_id))
            self.cache.delete(f"user:{user_id}")
            self.cache.invalidate_glob(f"team:{_glob_escape(old)}:*")
            self.cache.invalidate_prefix(f"team:{team}:")

    # Internals.

    def _read_through(self, key: str, units: list[tuple[str, object]], load: Callable[[], object]) -> Any:
        cached = self.cache.get(key)
        if cached is not None:
            return json.loads(cached)
        with self._locked(units):
            cached = self.cache.get(key)  # filled while we waited for the lock
            if cached is not None:
                return json.loads(cached)
            value = load()
            self._before_fill(key)
            self.cache.put(key, _encode(value), ttl=TTL_SECONDS)
            return value

    @contextmanager
    def _locked(self, units: list[tuple[str, object]]) -> Iterator[None]:
        """Holds the lock stripes of ``units``, taken in index order so writers never deadlock."""
        stripes = sorted({hash(unit) % self.LOCK_STRIPES for unit in units})
        with ExitStack() as stack:
            for stripe in stripes:
                stack.enter_context(self._unit_locks[stripe])
            yield

    def _select_user(self, user_id: int) -> dict[str, Any] | None:
        rows = self._query("SELECT id, name, team, version FROM users WHERE id = ?", (user_id,))
        return rows[0] if rows else None

    def _select_team(self, team: str) -> list[dict[str, Any]]:
        return self._query("SELECT id, name, team, version FROM users WHERE team = ? ORDER BY id", (team,))

    def _query(self, sql: str, parameters: tuple[object, ...]) -> list[dict[str, Any]]:
        with self._db_lock:
            self.database_reads += 1
            rows = self._db.execute(sql, parameters).fetchall()
        return [asdict(User(*row)) for row in rows]

    def _write(self, sql: str, parameters: tuple[object, ...]) -> None:
        with self._db_lock, self._db:
            self._db.execute(sql, parameters)


def _encode(value: object) -> bytes:
    return json.dumps(value).encode()


def _glob_escape(text: str) -> str:
    """``text`` with the glob's special characters escaped, to match literally."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
