"""A goals-and-tasks service layer over SQLite, cached in Trove by tags: the cached-repository pattern.

Reads go through ``Cache.get_or_load``: a hit answers without a query, concurrent misses of
one key run one query, and the value is cached with a TTL per class of entry and with tags.
Writes go to the database first (committed), then invalidate what they changed:

| entry (key)                                 | tags                                   | TTL     |
| ------------------------------------------- | -------------------------------------- | ------- |
| a goal, ``user:goal:<goal>:<user>``         | ``user:<user>``, ``goal:<goal>``       | 2 days  |
| a goal list, ``user:goals:<status>:<user>`` | ``user:<user>``, ``goals:user:<user>`` | 2 days  |
| the dashboard, ``user:dashboard:<user>``    | ``user:<user>``, ``goals:user:<user>`` | 10 min  |
| a task list, ``user:tasks:<status>:<user>`` | ``user:<user>``                        | 2 min   |

The dashboard is also refreshed ahead: read when more than a minute old, it is reloaded in
the background while readers go on getting the cached one.

- creating a goal invalidates the tag ``goals:user:<user>`` (its lists and dashboard);
  updating or completing one also ``goal:<goal>`` (its detail): exactly those entries;
- a task's status change invalidates the user's task lists of every status with the glob
  ``user:tasks:*:<user>``, and the dashboard (which counts tasks) by its key;
- ``forget_user`` invalidates ``user:<user>``: everything cached for the user, at once.

No fill can leave a stale value behind: a load that began before a write's invalidation
(of its key, by a glob, or of one of its tags) caches nothing, so the reader that read
the old row returns it (it began before the write finished) but nobody is served it after.

A cache error (a closed cache, say) never makes a read fail: the read goes to the
database. An invalidation that fails could leave a stale entry, so the repository then
stops reading from the cache at all. A database error reaches the caller and caches nothing.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import trove

GOAL_TTL = timedelta(days=2)  # models (a goal, a list of goals) change rarely and are invalidated on write
DASHBOARD_TTL = timedelta(minutes=10)
DASHBOARD_REFRESH = timedelta(minutes=1)  # reloaded in the background once a minute old and read
TASKS_TTL = timedelta(minutes=2)  # task lists change often, and one is cheap to query again

GOAL_STATUSES = ("active", "completed")
TASK_STATUSES = ("todo", "doing", "done")
_USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Goal:
    """A row of ``goals``; ``version`` counts the writes to it."""

    id: int
    user_id: str
    title: str
    status: str
    progress: int
    version: int
    notes: str = ""


@dataclass(frozen=True)
class Task:
    """A row of ``tasks``; ``version`` counts the writes to it."""

    id: int
    goal_id: int
    user_id: str
    title: str
    status: str
    version: int


class Database:
    """The SQLite database, one connection per thread, counting queries (``queries``).

    ``fail_next(error)`` makes the next query raise ``error`` instead, as a database that
    went away would.
    """

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS goals (
            id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active', progress INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1, notes TEXT NOT NULL DEFAULT '');
        CREATE INDEX IF NOT EXISTS goals_by_user ON goals (user_id, status);
        CREATE TABLE IF NOT EXISTS tasks (
            id INTEGER PRIMARY KEY, goal_id INTEGER NOT NULL REFERENCES goals (id),
            user_id TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'todo',
            version INTEGER NOT NULL DEFAULT 1);
        CREATE INDEX IF NOT EXISTS tasks_by_user ON tasks (user_id, status);
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._queries = 0
        self._failure: BaseException | None = None
        self._local_queries = threading.local()
        with self.transaction() as connection:
            connection.executescript(self.SCHEMA)

    @property
    def queries(self) -> int:
        """Queries run so far (reads and writes), on every thread."""
        with self._lock:
            return self._queries

    def queries_here(self) -> int:
        """Queries run so far on the calling thread."""
        return getattr(self._local_queries, "count", 0)

    def fail_next(self, error: BaseException) -> None:
        """Makes the next query, on any thread, raise ``error``."""
        with self._lock:
            self._failure = error

    def rows(self, sql: str, parameters: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Runs one query and returns its rows."""
        self._count()
        return self._connection().execute(sql, parameters).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A transaction on this thread's connection, committed when the block ends (rolled back on an error)."""
        connection = self._connection()
        with connection:
            yield connection

    def execute(self, connection: sqlite3.Connection, sql: str, parameters: tuple[object, ...] = ()) -> sqlite3.Cursor:
        """Runs one statement of a transaction, counted as a query."""
        self._count()
        return connection.execute(sql, parameters)

    def _count(self) -> None:
        with self._lock:
            self._queries += 1
            failure, self._failure = self._failure, None
        self._local_queries.count = self.queries_here() + 1
        if failure is not None:
            raise failure

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            self._local.connection = connection
        return connection


class GoalsRepository:
    """Goals and tasks of users, from ``database``, cached in ``cache`` (None: not cached).

    Attributes:
        cache_errors: cache calls that failed and were answered from the database instead.
        trusts_cache: False once an invalidation failed: from then on every read queries.
    """

    def __init__(self, database: Database, cache: trove.Cache | None) -> None:
        self.database = database
        self.cache = cache
        self.cache_errors = 0
        self.trusts_cache = cache is not None

    # Reads.

    def goal(self, user_id: str, goal_id: int) -> Goal | None:
        """The user's goal, or None if the user has no such goal (not cached)."""
        found = self._read(
            f"user:goal:{goal_id}:{_checked(user_id)}",
            lambda: self._select_goal(user_id, goal_id),
            ttl=GOAL_TTL,
            tags=[f"user:{user_id}", f"goal:{goal_id}"],
        )
        return None if found is None else Goal(**found)

    def goals(self, user_id: str, status: str | None = None) -> list[Goal]:
        """The user's goals (of ``status``, or all), by id."""
        if status is not None and status not in GOAL_STATUSES:
            raise ValueError(f"a goal's status is one of {GOAL_STATUSES}, not {status!r}")
        rows = self._read(
            f"user:goals:{status or 'all'}:{_checked(user_id)}",
            lambda: self._select_goals(user_id, status),
            ttl=GOAL_TTL,
            tags=[f"user:{user_id}", f"goals:user:{user_id}"],
        )
        return [Goal(**row) for row in rows]

    def tasks(self, user_id: str, status: str) -> list[Task]:
        """The user's tasks of ``status``, by id."""
        if status not in TASK_STATUSES:
            raise ValueError(f"a task's status is one of {TASK_STATUSES}, not {status!r}")
        rows = self._read(
            f"user:tasks:{status}:{_checked(user_id)}",
            lambda: self._select_tasks(user_id, status),
            ttl=TASKS_TTL,
            tags=[f"user:{user_id}"],
        )
        return [Task(**row) for row in rows]

    def dashboard(self, user_id: str) -> dict[str, Any]:
        """The user's goals and tasks counted by status, and their active goals' titles by progress."""
        dashboard: dict[str, Any] = self._read(
            f"user:dashboard:{_checked(user_id)}",
            lambda: self._select_dashboard(user_id),
            ttl=DASHBOARD_TTL,
            refresh=DASHBOARD_REFRESH,
            tags=[f"user:{user_id}", f"goals:user:{user_id}"],
        )
        return dashboard

    # Writes: the database first, then what they changed is invalidated.

    def create_goal(self, user_id: str, title: str, notes: str = "") -> Goal:
        """Adds an active goal; invalidates the user's goal lists and dashboard. Returns it as written."""
        row = self._write(
            "INSERT INTO goals (user_id, title, notes) VALUES (?, ?, ?) RETURNING *", (_checked(user_id), title, notes)
        )
        assert row is not None
        self._invalidate(tags=(f"goals:user:{user_id}",))
        return Goal(**row)

    def update_goal(self, user_id: str, goal_id: int, *, title: str | None = None, progress: int | None = None) -> Goal:
        """Changes a goal's title or progress; invalidates it, the user's goal lists and dashboard."""
        return self._write_goal(
            user_id,
            goal_id,
            "UPDATE goals SET title = COALESCE(?, title), progress = COALESCE(?, progress), version = version + 1 "
            "WHERE id = ? AND user_id = ? RETURNING *",
            (title, progress),
        )

    def complete_goal(self, user_id: str, goal_id: int) -> Goal:
        """Marks a goal completed (progress 100); invalidates it, the user's goal lists and dashboard."""
        return self._write_goal(
            user_id,
            goal_id,
            "UPDATE goals SET status = 'completed', progress = 100, version = version + 1 "
            "WHERE id = ? AND user_id = ? RETURNING *",
            (),
        )

    def add_task(self, user_id: str, goal_id: int, title: str) -> Task:
        """Adds a task to do; invalidates the user's task lists and dashboard. Returns it as written."""
        row = self._write(
            "INSERT INTO tasks (goal_id, user_id, title) VALUES (?, ?, ?) RETURNING *",
            (goal_id, _checked(user_id), title),
        )
        assert row is not None
        self._invalidate_tasks(user_id)
        return Task(**row)

    def set_task_status(self, user_id: str, task_id: int, status: str) -> Task:
        """Moves a task to ``status``; invalidates the user's task lists of every status and the
        dashboard. Returns the task as this call wrote it (another may have written it since)."""
        if status not in TASK_STATUSES:
            raise ValueError(f"a task's status is one of {TASK_STATUSES}, not {status!r}")
        row = self._write(
            "UPDATE tasks SET status = ?, version = version + 1 WHERE id = ? AND user_id = ? RETURNING *",
            (status, task_id, _checked(user_id)),
        )
        if row is None:
            raise LookupError(f"user {user_id} has no task {task_id}")
        self._invalidate_tasks(user_id)
        return Task(**row)

    def forget_user(self, user_id: str) -> int:
        """Drops everything cached for the user (after an account change, say); returns how many entries."""
        return self._invalidate(tags=(f"user:{_checked(user_id)}",))

    # The cache, and falling back to the database.

    def _read(
        self,
        key: str,
        query: Callable[[], Any],
        *,
        ttl: timedelta,
        tags: list[str],
        refresh: timedelta | None = None,
    ) -> Any:
        """``query()``'s result (JSON-shaped, None for absent) through the cache, or straight from the
        database when there is no cache, it cannot be trusted, or it fails."""
        if self.cache is None or not self.trusts_cache:
            return query()

        def load(_: bytes) -> bytes | None:
            found = query()
            return None if found is None else json.dumps(found).encode()

        try:
            cached = self.cache.get_or_load(key, load, ttl=ttl, refresh=refresh, tags=tags)
        except trove.TroveError:  # the cache failed (closed, say), not the database: ask it directly
            self.cache_errors += 1
            return query()
        return None if cached is None else json.loads(cached)

    def _invalidate(self, *, tags: tuple[str, ...] = (), keys: tuple[str, ...] = (), glob: str | None = None) -> int:
        """Invalidates ``tags``, ``keys`` and ``glob``; returns the entries removed. If that
        fails, stale entries may be left, so the repository stops reading from the cache."""
        if self.cache is None or not self.trusts_cache:
            return 0
        try:
            removed = sum(self.cache.invalidate_tag(tag) for tag in tags)
            removed += sum(self.cache.delete(key) for key in keys)
            if glob is not None:
                removed += self.cache.invalidate_glob(glob)
        except trove.TroveError:
            self.cache_errors += 1
            self.trusts_cache = False
            return 0
        return removed

    def _invalidate_tasks(self, user_id: str) -> None:
        self._invalidate(keys=(f"user:dashboard:{user_id}",), glob=f"user:tasks:*:{_glob_escape(user_id)}")

    def _write_goal(self, user_id: str, goal_id: int, sql: str, parameters: tuple[object, ...]) -> Goal:
        row = self._write(sql, (*parameters, goal_id, _checked(user_id)))
        if row is None:
            raise LookupError(f"user {user_id} has no goal {goal_id}")
        self._invalidate(tags=(f"goal:{goal_id}", f"goals:user:{user_id}"))
        return Goal(**row)

    def _write(self, sql: str, parameters: tuple[object, ...]) -> dict[str, Any] | None:
        """Runs one ``... RETURNING *`` statement in a transaction of its own; the row it wrote, or None.

        The row as this statement left it: a read after the commit could see a later write by another thread.
        """
        with self.database.transaction() as connection:
            rows = self.database.execute(connection, sql, parameters).fetchall()  # all of them before the commit
        return dict(rows[0]) if rows else None

    # Queries.

    def _select_goal(self, user_id: str, goal_id: int) -> dict[str, Any] | None:
        rows = self.database.rows("SELECT * FROM goals WHERE id = ? AND user_id = ?", (goal_id, user_id))
        return dict(rows[0]) if rows else None

    def _select_goals(self, user_id: str, status: str | None) -> list[dict[str, Any]]:
        if status is None:
            rows = self.database.rows("SELECT * FROM goals WHERE user_id = ? ORDER BY id", (user_id,))
        else:
            rows = self.database.rows(
                "SELECT * FROM goals WHERE user_id = ? AND status = ? ORDER BY id", (user_id, status)
            )
        return [dict(row) for row in rows]

    def _select_tasks(self, user_id: str, status: str) -> list[dict[str, Any]]:
        rows = self.database.rows("SELECT * FROM tasks WHERE user_id = ? AND status = ? ORDER BY id", (user_id, status))
        return [dict(row) for row in rows]

    def _select_task(self, task_id: int) -> Task:
        return Task(**dict(self.database.rows("SELECT * FROM tasks WHERE id = ?", (task_id,))[0]))

    def _select_dashboard(self, user_id: str) -> dict[str, Any]:
        goals = self.database.rows(
            "SELECT status, COUNT(*) AS count FROM goals WHERE user_id = ? GROUP BY status", (user_id,)
        )
        tasks = self.database.rows(
            "SELECT status, COUNT(*) AS count FROM tasks WHERE user_id = ? GROUP BY status", (user_id,)
        )
        top = self.database.rows(
            "SELECT title FROM goals WHERE user_id = ? AND status = 'active' ORDER BY progress DESC, id LIMIT 3",
            (user_id,),
        )
        return {
            "goals": {status: 0 for status in GOAL_STATUSES} | {row["status"]: row["count"] for row in goals},
            "tasks": {status: 0 for status in TASK_STATUSES} | {row["status"]: row["count"] for row in tasks},
            "top_goals": [row["title"] for row in top],
        }


def _checked(user_id: str) -> str:
    """``user_id``, checked to hold no ``:`` or glob character, so keys and patterns cannot run into each other."""
    if not _USER_ID.fullmatch(user_id):
        raise ValueError(f"a user id is 1 to 64 letters, digits, '_' or '-', not {user_id!r}")
    return user_id


def _glob_escape(text: str) -> str:
    """``text`` with the glob's special characters escaped, to match literally."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
