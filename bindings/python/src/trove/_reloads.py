"""Refresh-ahead's side of ``get_or_load``: which Python loader reloads each key in the background.

A value loaded with a refresh interval (``trove_load_set``'s ``refresh_ms``) is reloaded by
the library later, from a thread of its own, through the loader callback and ``user_data``
of the ``get_or_load`` call whose hit found it due, and that call has long returned by
then. So the binding's ``user_data`` names the cache, not the call (``Loads.number``), and
each cache keeps here, by key, the loader, TTL, interval and tags of the latest call that
asked for refresh-ahead, until the cache is closed: the reload looks its loader up by the
key the library hands it.

Bounded by the keys, not the calls: a key has one record however often it is read. Records
of keys no longer cached (evicted, expired, deleted) are swept once the records have doubled
since the last sweep, so sweeps cost O(1) per record, amortized. A reload whose record is gone
(swept, or dropped by a later load without refresh-ahead) fails, which keeps the cached
value; the next call with ``refresh`` records a loader again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import NamedTuple

Loader = Callable[[bytes], "bytes | bytearray | memoryview | None"]
"""A loader: given the key's bytes, returns the value, or None when there is none."""


class Reload(NamedTuple):
    """How a key is loaded: the loader, and what the value is cached with (a tuple: cheap to make per call).

    Attributes:
        loader: called with the key's bytes.
        ttl_ms: the value's time to live, 0 for none.
        refresh_ms: the refresh-ahead interval, 0 for none.
        tags: the tags the value carries, checked (``tag_list``).
    """

    loader: Loader
    ttl_ms: int
    refresh_ms: int
    tags: tuple[bytes, ...]


class Reloads:
    """One cache's reload records, by key (see the module's docstring)."""

    SWEEP_MINIMUM = 1024
    """Records kept before the first sweep."""

    __slots__ = ("_lock", "_by_key", "_sweep_at", "_sweeping")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        """Held while a record is stored or compared and removed, never around a library call."""
        self._by_key: dict[bytes, Reload] = {}
        self._sweep_at = self.SWEEP_MINIMUM
        self._sweeping = threading.Lock()

    def remember(self, key: bytes, reload: Reload, keep: Callable[[bytes], bool]) -> None:
        """Makes ``reload`` the way ``key`` is reloaded; sweeps (with ``keep(key)`` saying which
        records to keep) once the records have doubled since the last sweep."""
        with self._lock:
            self._by_key[key] = reload
            due = len(self._by_key) > self._sweep_at
        if due:
            self._sweep(keep)

    def get(self, key: bytes) -> Reload | None:
        """How ``key`` is reloaded, or None if no call with refresh-ahead recorded it (or it was dropped)."""
        return self._by_key.get(key)

    def discard(self, key: bytes) -> None:
        """Drops ``key``'s record: a load without refresh-ahead replaces its value, which is not reloaded."""
        if self._by_key:
            with self._lock:
                self._by_key.pop(key, None)

    def clear(self) -> None:
        """Drops every record (the cache was closed: the library reloads nothing more)."""
        with self._lock:
            self._by_key.clear()

    def __len__(self) -> int:
        return len(self._by_key)

    def _sweep(self, keep: Callable[[bytes], bool]) -> None:
        """Drops the records of keys ``keep`` says are gone (``keep`` calls the library: no lock is held then)."""
        if not self._sweeping.acquire(blocking=False):
            return  # another thread sweeps
        try:
            with self._lock:
                records = list(self._by_key.items())
            gone = [(key, reload) for key, reload in records if not keep(key)]
            with self._lock:
                for key, reload in gone:
                    if self._by_key.get(key) is reload:  # not recorded again meanwhile
                        del self._by_key[key]
                self._sweep_at = max(self.SWEEP_MINIMUM, 2 * len(self._by_key))
        finally:
            self._sweeping.release()
