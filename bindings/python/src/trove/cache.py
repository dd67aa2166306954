"""``Cache``: one open Trove cache, driven through libtrove.so's C ABI."""

from __future__ import annotations

import ctypes
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from . import _abi, _loading, _removals
from ._convert import Key, Tags, key_bytes, refresh_milliseconds, tag_bytes, tag_list, ttl_milliseconds, value_bytes
from ._loader import Library, load_library
from ._receive import BatchBuffers
from ._removals import RemovalListener
from .errors import TroveError, error_for
from .stats import Stats

if TYPE_CHECKING:  # both implementations have the same methods; type-check against the Python one
    from ._hot_ctypes import CtypesCalls as HotCalls
else:
    from ._calls import HotCalls

_batches = BatchBuffers()
_WRITE_CHUNK = 256
"""Entries per ``trove_put_many``/``trove_delete_many`` call, bounding the ctypes arrays built for one."""
_Self = TypeVar("_Self", bound="CacheMethods")
_MISSING: Any = object()


class CacheMethods:
    """Everything of ``Cache`` but the hot calls: opening, batches, invalidation, stats, closing.

    A mixin behind ``HotCalls`` (C or ctypes), which provides ``get``, ``put``,
    ``delete``, ``contains``, the mapping forms, ``_attach``, ``_handle`` and ``_library``.
    """

    __slots__ = ()
    _handle: int
    _library: Library
    _finalizer: weakref.finalize[..., Any]
    _loads: _loading.Loads
    _removals: _removals.Listeners
    _attach: Callable[[Library, int], None]
    get: Callable[..., Any]

    def __init__(
        self,
        capacity_bytes: int | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        disk_capacity_bytes: int | None = None,
        policy: str | None = None,
        max_items: int | None = None,
        stripes: int | None = None,
        compression_threshold: int | None = None,
        compression_level: int | None = None,
        absent_ttl: float | timedelta | None = None,
    ) -> None:
        """Opens a cache; every argument left as None keeps the library's default.

        Args:
            capacity_bytes: memory budget for entries and index, at least 1 MiB (default 64 MiB).
            path: directory for the disk (cold) tier; None keeps the cache in memory only. Created
                0700 if missing, its files 0600; one writable by every user is refused (InvalidArgument).
            disk_capacity_bytes: disk-tier budget (default 1 GiB).
            policy: eviction policy, "lru", "s3fifo", "wtinylfu" or "adaptive" (default "s3fifo").
            max_items: also evict past this many entries (default: no limit by count).
            stripes: lock stripes, a power of two up to 1024 (default 8 per core).
            compression_threshold: values of at least this many bytes are compressed on
                disk; 0 turns compression off (default 1024).
            compression_level: zstd level 1 (fastest, the default) to 19 for the disk tier.
            absent_ttl: how long ``get_or_load`` remembers a key its loader found absent
                (returned None), in seconds or a timedelta, answering None without loading
                again; a write of the key forgets it. None (the default): not remembered.

        Loads libtrove.so on first use (see ``trove.load_library``).

        Raises:
            trove.LibraryNotFoundError: libtrove.so is missing or incompatible (an ImportError).
            trove.InvalidArgument: an option is out of range or unknown; the message says which.
            trove.OutOfMemory, trove.DiskError, trove.BadFormat: as the library reports.
            TypeError, ValueError: an option of the wrong type, or negative.
        """
        library = load_library()
        cdll = library.cdll
        storage = _abi.OptionsBuffer()
        cdll.trove_options_init(ctypes.byref(storage))
        options = storage.options
        for name, number, bits in (
            ("capacity_bytes", capacity_bytes, 64),
            ("disk_capacity_bytes", disk_capacity_bytes, 64),
            ("max_items", max_items, 64),
            ("stripes", stripes, 32),
            ("compression_threshold", compression_threshold, 32),
            ("compression_level", compression_level, 31),
        ):
            if number is not None:
                setattr(options, name, _unsigned(name, number, bits))
        # trove_options_init set options.size to the library's sizeof(trove_options_t), 80 bytes
        # for this layout, so the library reads absent_ttl_ms.
        options.absent_ttl_ms = ttl_milliseconds(absent_ttl)
        # ctypes keeps these bytes alive with `storage`; trove_open copies them.
        if policy is not None:
            options.policy = _text("policy", policy)
        if path is not None:
            options.path = _text("path", os.fsdecode(path))
        handle = ctypes.c_void_p()
        status = cdll.trove_open(ctypes.byref(storage), ctypes.byref(handle))
        if status != _abi.OK:
            raise library.error(status)
        assert handle.value is not None  # Safe because trove_open stores a handle whenever it returns OK.
        self._attach(library, handle.value)
        # The concrete classes (Cache) hold the _finalizer, _loads and _removals slots; this mixin has none of its own.
        self._removals = _removals.Listeners()  # type: ignore[misc]
        self._loads = _loading.Loads(library, handle.value)  # type: ignore[misc]
        self._finalizer = weakref.finalize(  # type: ignore[misc]
            self, _close, cdll.trove_close, handle.value, self._removals.number, self._loads.number
        )
        self._loads.segment_size = self.stats().segment_size

    __iter__ = None  # A cache cannot list its keys; this makes iter(cache) a clear TypeError.

    def get_many(self, keys: Iterable[Key]) -> dict[Key, bytes]:
        """The cached values of ``keys`` in one call per 256 keys: a dict of the hits only.

        The dict's keys are the keys as given (str or bytes). Each key counts as a hit or
        a miss. A value over 1 KiB is fetched again on its own at its reported size.

        Raises as ``get`` does, for the first bad key.
        """
        wanted = list(keys)
        found: dict[Key, bytes] = {}
        slots = BatchBuffers.SLOTS
        for start in range(0, len(wanted), slots):
            self._get_chunk(wanted[start : start + slots], found)
        return found

    def _get_chunk(self, chunk: list[Key], found: dict[Key, bytes]) -> None:
        """``get_many`` for at most ``BatchBuffers.SLOTS`` keys."""
        encoded = [key if type(key) is bytes else key_bytes(key) for key in chunk]
        count = len(encoded)
        batch = _batches
        status = self._library.cdll.trove_get_many(
            self._handle,
            count,
            (ctypes.c_char_p * count)(*encoded),
            (ctypes.c_size_t * count)(*map(len, encoded)),
            batch.buffers,
            batch.capacities,
            batch.lengths,
            batch.statuses,
        )
        if status != _abi.OK:
            raise self._library.error(status)
        size = BatchBuffers.SLOT_SIZE
        statuses, lengths, values = batch.statuses, batch.lengths, batch.values
        for index in range(count):
            status = statuses[index]
            if status == _abi.OK:
                start = index * size
                found[chunk[index]] = values[start : start + lengths[index]]  # type: ignore[assignment]
            elif status == _abi.EBUFSIZE:
                value = self.get(encoded[index], _MISSING)
                if value is not _MISSING:
                    found[chunk[index]] = value
            elif status != _abi.NOT_FOUND:
                raise error_for(status, f"trove_get_many: key {index}: {self._library.strerror(status)}")

    def put_many(
        self,
        items: Mapping[Key, bytes | bytearray | memoryview] | Iterable[tuple[Key, bytes | bytearray | memoryview]],
        ttl: float | timedelta | None = None,
    ) -> None:
        """Caches every value of ``items`` (a mapping, or (key, value) pairs) under its key,
        each for ``ttl`` seconds (None: until evicted), in one call per 256 entries.

        The library groups each call's entries by lock stripe and takes each stripe's lock
        once, so this costs much less than a ``put`` per entry. Entries are written in
        order: of a key given twice, the later value stays.

        Raises as ``put`` does: a TypeError for a key or value of the wrong type before
        anything is written; for an entry the library refuses (``TooBig``, ``InvalidArgument``,
        ``OutOfMemory``), the error of the first such entry once every other entry has been
        written; ``Closed`` after ``close()``.
        """
        pairs = items.items() if isinstance(items, Mapping) else items
        keys: list[bytes] = []
        values: list[bytes] = []
        for key, value in pairs:
            keys.append(key if type(key) is bytes else key_bytes(key))
            values.append(value if type(value) is bytes else value_bytes(value))
        ttl_ms = ttl_milliseconds(ttl)
        put_many = self._library.cdll.trove_put_many
        failure: TroveError | None = None
        for start in range(0, len(keys), _WRITE_CHUNK):
            chunk_keys, chunk_values = keys[start : start + _WRITE_CHUNK], values[start : start + _WRITE_CHUNK]
            count = len(chunk_keys)
            statuses = (ctypes.c_int * count)()
            status = put_many(
                self._handle,
                count,
                (ctypes.c_char_p * count)(*chunk_keys),
                (ctypes.c_size_t * count)(*map(len, chunk_keys)),
                (ctypes.c_char_p * count)(*chunk_values),
                (ctypes.c_size_t * count)(*map(len, chunk_values)),
                ttl_ms,
                statuses,
            )
            if status != _abi.OK:
                raise self._library.error(status)
            failure = failure or self._first_failure("trove_put_many", "entry", start, statuses)
        if failure is not None:
            raise failure

    def delete_many(self, keys: Iterable[Key]) -> int:
        """Removes every key of ``keys``, in one call per 256 keys; returns how many were cached.

        Each call takes each lock stripe's lock once for all of its keys, as ``put_many`` does.

        Raises as ``delete`` does: a TypeError for a key of the wrong type before anything is
        removed; for a key the library refuses (``InvalidArgument``, ``TooBig``), the error of
        the first such key once every other key has been removed; ``Closed`` after ``close()``.
        """
        encoded = [key if type(key) is bytes else key_bytes(key) for key in keys]
        delete_many = self._library.cdll.trove_delete_many
        removed = 0
        failure: TroveError | None = None
        for start in range(0, len(encoded), _WRITE_CHUNK):
            chunk = encoded[start : start + _WRITE_CHUNK]
            count = len(chunk)
            statuses = (ctypes.c_int * count)()
            status = delete_many(
                self._handle,
                count,
                (ctypes.c_char_p * count)(*chunk),
                (ctypes.c_size_t * count)(*map(len, chunk)),
                statuses,
            )
            if status != _abi.OK:
                raise self._library.error(status)
            removed += sum(1 for each in statuses if each == _abi.OK)
            failure = failure or self._first_failure("trove_delete_many", "key", start, statuses)
        if failure is not None:
            raise failure
        return removed

    def _first_failure(
        self, function: str, what: str, start: int, statuses: ctypes.Array[ctypes.c_int]
    ) -> TroveError | None:
        """The error for the first failed status of a chunk starting at entry ``start``, or None."""
        for index, status in enumerate(statuses):
            if status < 0:
                return error_for(status, f"{function}: {what} {start + index}: {self._library.strerror(status)}")
        return None

    def _put_tagged(
        self, key: Key, value: bytes | bytearray | memoryview, ttl: float | timedelta | None, tags: Tags
    ) -> None:
        """``put`` with ``tags`` given (the hot calls hand a put with tags over to this)."""
        if type(key) is not bytes:
            key = key_bytes(key)
        if type(value) is not bytes:
            value = value_bytes(value)
        ttl_ms = ttl_milliseconds(ttl)
        encoded = tag_list(tags)
        count = len(encoded)
        status = self._library.cdll.trove_put_tagged(
            self._handle,
            key,
            len(key),
            value,
            len(value),
            ttl_ms,
            count,
            (ctypes.c_char_p * count)(*encoded),
            (ctypes.c_size_t * count)(*map(len, encoded)),
        )
        if status != _abi.OK:
            raise self._library.error(status)

    def invalidate_tag(self, tag: bytes | str) -> int:
        """Removes every entry carrying ``tag`` (see ``put``'s ``tags``), from memory and disk; returns how many.

        Costs time proportional to those entries, however large the cache: no scan. A
        ``get_or_load`` that began before this call, of such an entry or of a value carrying
        ``tag``, caches nothing (its callers still get the value). An entry evicted or expired
        since it was tagged counts for none.

        Raises:
            TypeError: ``tag`` is not bytes or str.
            trove.InvalidArgument: an empty tag, or one over 1024 bytes.
            trove.Closed: after ``close()``.
        """
        encoded = tag_bytes(tag)
        removed = ctypes.c_uint64()
        status = self._library.cdll.trove_invalidate_tag(self._handle, encoded, len(encoded), ctypes.byref(removed))
        if status != _abi.OK:
            raise self._library.error(status)
        return removed.value

    def get_or_load(
        self,
        key: Key,
        loader: Callable[[bytes], bytes | bytearray | memoryview | None],
        ttl: float | timedelta | None = None,
        refresh: float | timedelta | None = None,
        tags: Tags | None = None,
    ) -> bytes | None:
        """The value cached under ``key``; on a miss, ``loader(key)``'s, cached for ``ttl`` seconds.

        The cache-aside pattern without stampedes. ``loader`` gets the key as bytes and
        returns the value (bytes, bytearray or memoryview) or None when there is none.
        Concurrent misses of one key, from any threads, call it once: the other callers
        block inside the library with the GIL released (no spinning) until it returns, and
        get its result. The loader runs on the thread of the caller that missed first.

        - A value is cached for ``ttl`` (None: until evicted) and returned, unless the key
          was put, deleted or invalidated while the loader ran: the write wins, the loaded
          value is returned to this load's callers but not cached.
        - A value too large for the cache (``put`` would raise ``TooBig``) is returned to
          every caller of the load but not cached (``Stats.load_failures`` counts it).
        - None caches nothing and returns None, unless ``Cache(absent_ttl=...)`` remembers
          the key as absent for that long (further calls return None without loading).
        - An exception the loader raises caches nothing and is raised in every caller
          waiting on that load, the very same object (as ``Future.result()`` raises it), so
          its traceback grows by each caller's frames. The next call loads again.

        ``tags`` (an iterable of bytes or str, as for ``put``) are the tags the loaded value
        carries: ``invalidate_tag`` of one removes it, and one invalidated while the loader
        runs keeps the value from being cached (it is still returned).

        ``refresh`` (seconds or a timedelta, shorter than a non-zero ``ttl``) asks for
        refresh-ahead: once ``refresh`` has passed since the value was loaded, the first
        ``get_or_load`` hit of it returns it at once and starts one background reload, which
        calls the loader that the latest ``get_or_load`` of the key with a ``refresh`` passed
        (with that call's ``ttl``, ``refresh`` and ``tags``), later, on a thread of the
        library's own; every reader meanwhile gets the cached value. A reload's value
        replaces it; ``None`` removes it; an exception keeps it until its TTL (logged to the
        ``trove`` logger, counted in ``Stats.refresh_failures``) and is tried again an
        interval later. ``get`` never reloads, and a put, delete or invalidation of the key
        cancels the refresh. The cache holds such a loader until the cache is closed (one per
        key, the latest), so one that refers to the cache keeps it from being collected;
        calling ``close()`` from inside it raises RuntimeError.

        The loader may use the cache, and ``get_or_load`` other keys. Calling
        ``get_or_load`` of its own key (on its own thread) raises ``trove.InvalidArgument``
        ("... it would wait for itself ...") instead of deadlocking, as does a wait that
        would close a cycle of loaders waiting for each other across threads; if the loader
        lets that error escape, it is the load's exception like any other. A loader that
        blocks on another thread which waits for the same key deadlocks both.

        This is plain ctypes (``trove._speedups`` does not cover it): a hit costs one ctypes
        call, about what ``get`` costs without the C hot calls, and counts as a hit; a miss
        counts as one miss. A value
        larger than this thread's receive buffer (4 KiB at first) is read again at its
        size: it was cached, so that read hits. If a write of the key raced the load, the
        value was not cached: the caller that ran the loader returns it all the same, but a
        waiter's second read finds the writer's value, or, after a delete or invalidation,
        misses and loads again.

        Raises:
            The loader's exception, as above.
            trove.InvalidArgument: a recursive or cyclic load (above), a bad key, a ``refresh`` not
                shorter than ``ttl``, more than 8 tags, or a tag that is empty or over 1024 bytes.
            trove.LoaderError: the load waited for failed without a Python exception (a C loader).
            trove.TooBig: a key over 1024 bytes. trove.Closed: after ``close()``.
            TypeError: a key or tag of the wrong type, or a lone str for ``tags``; from the loader,
                a value of the wrong type.
            ValueError: a TTL or refresh interval that is not positive.
        """
        if type(key) is not bytes:
            key = key_bytes(key)
        if not callable(loader):
            raise TypeError(f"loader must be callable, not {type(loader).__name__}")
        ttl_ms = 0 if ttl is None else ttl_milliseconds(ttl)
        refresh_ms = 0 if refresh is None else refresh_milliseconds(refresh, ttl_ms)
        return _loading.get_or_load(
            self._loads, key, loader, ttl_ms, refresh_ms, () if tags is None else tag_list(tags)
        )

    def invalidate_prefix(self, prefix: Key) -> int:
        """Removes every entry whose key starts with ``prefix``; returns how many.

        An empty prefix removes everything. Scans the whole index: O(entries), so meant
        for invalidating a family of keys after a write, not for every request.
        """
        if type(prefix) is not bytes:
            prefix = key_bytes(prefix)
        removed = ctypes.c_uint64()
        status = self._library.cdll.trove_invalidate_prefix(self._handle, prefix, len(prefix), ctypes.byref(removed))
        if status != _abi.OK:
            raise self._library.error(status)
        return removed.value

    def invalidate_glob(self, pattern: Key) -> int:
        """Removes every entry whose key matches a shell-style ``pattern``; returns how many.

        ``*`` matches any run of bytes, ``?`` one byte, ``[a-z]``/``[!a-z]`` a byte set, and
        ``\\`` escapes. O(entries), like ``invalidate_prefix``.

        Raises:
            ValueError: the pattern contains a NUL byte.
            trove.InvalidArgument: a malformed pattern (an unclosed ``[``, say).
        """
        if type(pattern) is not bytes:
            pattern = key_bytes(pattern)
        if b"\0" in pattern:
            raise ValueError("a glob pattern cannot contain a NUL byte")
        removed = ctypes.c_uint64()
        status = self._library.cdll.trove_invalidate_glob(self._handle, pattern, ctypes.byref(removed))
        if status != _abi.OK:
            raise self._library.error(status)
        return removed.value

    def clear(self) -> None:
        """Removes every entry and returns the memory to the OS."""
        _check(self._library, self._library.cdll.trove_clear(self._handle))

    def flush(self) -> None:
        """Makes everything written so far durable on the disk tier; a no-op in memory only."""
        _check(self._library, self._library.cdll.trove_flush(self._handle))

    def set_removal_listener(self, listener: RemovalListener | None) -> None:
        """Calls ``listener(key, cause)`` for every entry that leaves the cache; None removes it.

        ``key`` is the key's bytes and ``cause`` a ``trove.RemovalCause``: ``EVICTED`` (the
        policy made room; without a disk tier), ``EXPIRED``, ``DELETED``, ``REPLACED`` (a put
        overwrote it), ``INVALIDATED`` (``invalidate_prefix``, ``invalidate_glob``, ``clear``),
        ``DEMOTED`` (moved to the disk tier), ``DROPPED_FROM_DISK`` (its region evicted from the
        disk tier, which reads each region back before evicting it while a listener is set).
        Entries that an invalidation hides on disk are not reported (the library does not read
        their keys then). A cause this binding does not know, from a newer library, arrives as a
        plain int.

        - The listener runs on a thread of the library's own (not a ``threading.Thread``), one
          notification at a time, in the order the cache queued them, never with a cache lock
          held: it may use the cache, but not close it (``close()`` there raises RuntimeError).
          It holds the GIL while it runs, and a put or an eviction never waits for it: while
          4096 notifications are waiting, more are dropped and counted
          (``stats().removals_dropped``; ``removals_delivered`` counts the rest).
        - ``close()`` delivers what is queued before it returns; the cache is closed by then,
          so a call on it from those notifications raises ``trove.Closed``.
        - Once this returns, the previous listener is not called again (a call of it already
          running on the delivery thread may finish); notifications not yet delivered go to
          the new one, or, after None, are dropped.
        - The cache holds the listener until it is removed or the cache is closed: one that
          refers to the cache (a bound method of an object holding it, say) keeps the cache
          from being collected, so close it (``with``) rather than leave that to the collector.
        - An exception the listener raises is reported through ``sys.unraisablehook`` (by
          default a traceback on stderr, "Exception ignored on calling ctypes callback
          function"), as for any exception nothing can catch; that notification is lost, and
          the next is delivered as usual.

        Raises:
            TypeError: ``listener`` is neither callable nor None.
            trove.Closed: after ``close()``.
            trove.OutOfMemory: the library could not start its delivery thread.
        """
        if listener is not None and not callable(listener):
            raise TypeError(f"listener must be callable or None, not {type(listener).__name__}")
        self._removals.set(self._library, self._handle, listener)

    def stats(self) -> Stats:
        """A snapshot of the counters and gauges (hits, misses, items, memory, ...)."""
        struct = _abi.StatsStruct()
        _check(self._library, self._library.cdll.trove_stats(self._handle, ctypes.byref(struct), ctypes.sizeof(struct)))
        return Stats.from_struct(struct)

    def disk_error(self) -> TroveError | None:
        """Why the disk tier is out of service (an error carrying the status), or None if it
        serves or there is none. While it is out of service the cache serves from memory."""
        buffer = ctypes.create_string_buffer(1024)
        status = self._library.cdll.trove_disk_error(self._handle, buffer, len(buffer))
        if status == _abi.OK:
            return None
        if status == _abi.ECLOSED or status == _abi.EINVAL:
            raise self._library.error(status)
        return error_for(status, buffer.value.decode(errors="replace"))

    def metrics_text(self) -> str:
        """The statistics in the Prometheus text exposition format, ready to serve on /metrics."""
        metrics_text = self._library.cdll.trove_metrics_text
        length = ctypes.c_size_t()
        status = metrics_text(self._handle, None, 0, ctypes.byref(length))
        while status == _abi.EBUFSIZE:
            # The text may grow between the two calls (a counter gains a digit): ask again then.
            buffer = ctypes.create_string_buffer(length.value + 64)
            status = metrics_text(self._handle, buffer, len(buffer), ctypes.byref(length))
            if status == _abi.OK:
                return buffer.value.decode()
        raise self._library.error(status)

    def close(self) -> None:
        """Closes the cache and frees its memory; waits for calls running on it, and delivers
        the removal notifications still queued. Idempotent.

        Raises:
            RuntimeError: called from this cache's removal listener, or from a loader running one
                of its background reloads (refresh-ahead), which ``close`` would wait for.
            trove.TroveError: the disk tier's failure to write back (the cache is closed all the same).
        """
        if self._removals.on_delivery_thread():
            raise RuntimeError("close() from the cache's own removal listener would wait for that listener")
        if self._loads.on_refresh_thread():
            raise RuntimeError("close() from a background reload of the cache would wait for that reload")
        status = self._finalizer()
        if status is not None and status != _abi.OK:
            raise self._library.error(status)

    @property
    def closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return not self._finalizer.alive

    def __enter__(self: _Self) -> _Self:
        """Returns the cache itself; the ``with`` block closes it on exit."""
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Closes the cache."""
        self.close()

    def __repr__(self) -> str:
        """``<trove.Cache open|closed at 0x...>``."""
        return f"<trove.Cache {'closed' if self.closed else 'open'} at {id(self):#x}>"


class Cache(HotCalls, CacheMethods):
    """An in-process Trove cache: a fixed memory budget of bytes keys and bytes values.

    ``Cache(capacity_bytes=None, *, path=None, disk_capacity_bytes=None, policy=None,
    max_items=None, stripes=None, compression_threshold=None, compression_level=None, absent_ttl=None)``;
    see ``CacheMethods.__init__``.

    Keys are ``bytes`` or ``str`` (encoded as UTF-8), 1 to 1024 bytes; values are
    ``bytes`` (a bytearray or memoryview is copied). Methods:

    - ``get(key, default=None)``, ``cache[key]`` (``KeyError`` on a miss), ``get_many(keys)``;
    - ``put(key, value, ttl=None, tags=None)`` with ``ttl`` in seconds or a timedelta and ``tags``
      an iterable of bytes or str, ``cache[key] = value``, ``put_many(items, ttl=None)``;
    - ``delete(key)`` and ``del cache[key]``, ``delete_many(keys)``, ``contains(key)`` and ``key in cache``;
    - ``get_or_load(key, loader, ttl=None, refresh=None, tags=None)``: read-through loading, one
      loader call per key however many threads miss it at once, optionally reloaded in the
      background every ``refresh`` seconds (refresh-ahead);
    - ``invalidate_tag``, ``invalidate_prefix``, ``invalidate_glob``, ``clear``, ``flush``;
    - ``set_removal_listener(listener)``: ``listener(key, cause)`` for every entry that leaves;
    - ``stats()`` (a ``Stats``), ``metrics_text()`` (Prometheus), ``close()``.

    Every method is safe to call from any thread at once: each is a call into the
    library (``get_many``, ``put_many`` and ``delete_many`` one per 256 keys), made with the GIL released, so threads
    proceed in parallel in the engine. The hot calls are C (``trove._speedups``) when it was compiled at install,
    else ctypes: about 0.3 or 2 microseconds per get on a small VM (see bench.py).

    Use it as a context manager, or call ``close()``; a cache that is garbage collected
    is closed then. After ``close()`` every method raises ``trove.Closed``.
    """

    __slots__ = ("_finalizer", "_loads", "_removals", "__weakref__")


def _close(trove_close: Callable[[int], int], handle: int, listeners: int, loads: int) -> int:
    """Closes a handle, then drops its removal listener (number ``listeners``) and its book of
    loads (number ``loads``, with the loaders of its background reloads); run once, by
    ``Cache.close()`` or when the cache is collected.

    Collected on the cache's own refresh thread (by the garbage collector, inside one of its
    reloads), it hands the close to a new thread: ``trove_close`` waits for that reload.
    """
    if _loading.on_refresh_thread(loads):
        threading.Thread(target=_close, args=(trove_close, handle, listeners, loads), name="trove close").start()
        return _abi.OK
    status = trove_close(handle)
    _removals.forget(listeners)
    _loading.forget(loads)
    return status


def _unsigned(name: str, number: int, bits: int) -> int:
    """``number`` checked to fit a C unsigned field of ``bits`` bits (ctypes would truncate it)."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"{name} is an int, not {type(number).__name__}")
    if not 0 <= number < 1 << bits:
        raise ValueError(f"{name} must be between 0 and {(1 << bits) - 1}, not {number}")
    return number


def _text(name: str, text: str) -> bytes:
    """``text`` as a NUL-terminated C string's bytes."""
    if not isinstance(text, str):
        raise TypeError(f"{name} is a str, not {type(text).__name__}")
    encoded = text.encode()
    if b"\0" in encoded:
        raise ValueError(f"{name} cannot contain a NUL character")
    return encoded


def _check(library: Library, status: int) -> None:
    """Raises the exception for ``status`` unless it is TROVE_OK."""
    if status != _abi.OK:
        raise library.error(status)
