"""``Cache.get_or_load`` through ctypes: read-through loading with single flight (``trove_get_or_load``).

The library runs one load per key however many threads miss it; the others block inside
the C call (GIL released, no spinning) and get its outcome. A value travels to them
through the library. A loader's exception cannot: C only learns that the loader failed
(``TROVE_ELOADER``). So the caller that ran the loader publishes the exception here,
before its callback returns the failure to C, under a token that is also the callback's
return value; the library puts that value in every waiter's error message ("the loader
returned N"), and each waiter takes the exception by it and raises the very same object,
as ``concurrent.futures.Future.result()`` does. A value too large for the cache travels
the same way, so every waiter gets it although it was not cached.

Keeping a published outcome exactly as long as a waiter may still need it: every Python
caller of a key registers before its C call and unregisters after it. A caller can only
have waited for a load that ended in C before the caller that ran it unregistered; so an
outcome's readers are the callers registered when it was published or while its leader
was still registered, and it is dropped once the leader and all of those readers are gone.
Nothing outlives the calls of a key in flight.

One C callback, ``_LOADER``, made once for the process, serves every call. Its ``user_data``
is the cache's number, not the call's: the library may call it again later, from a thread
of its own, for a background reload (refresh-ahead) through the ``user_data`` of the call
whose hit started it, long after that call returned. A miss runs its loader on the calling
thread during the call, so the callback finds the call as the innermost one running on its
thread (``_Active``); anything else is a reload, whose loader it looks up by key in the
cache's ``Reloads``. A reload's exception is published the same way, for misses that joined
it, logged (logger ``trove``) and returned to C as a failure, never let escape to ctypes,
which would answer 0: "found nothing", and so remove the cached value. A reload's leader
unregisters when its callback returns, just before the library ends the load, so a miss
that registers in that moment and joins the failing reload gets ``trove.LoaderError``
(with the library's message) instead of the exception.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import re
import threading
from dataclasses import dataclass, field

from . import _abi
from ._convert import value_bytes
from ._loader import Library
from ._receive import KEPT_CAPACITY, ReceiveBuffer
from ._reloads import Loader, Reload, Reloads
from .errors import LoaderError

MAXIMUM_ENTRY_HEADER = 14
"""EntryLayout.maximumHeaderLength: an entry takes at most this much more than its key and value.

A loaded value is cached only if key, value and this header fit a segment; trove_load_set
refuses one that does not (TROVE_ETOOBIG). The binding checks first, without a call, erring
by at most these few bytes below what ``put`` accepts, and hands such a value to the load's
waiters itself."""

_TOKEN = re.compile(r"loader returned (-?\d+)")
"""How the library's message names a failed loader's return value (CLoaderFailure in Exports+Load.swift)."""

_receive = ReceiveBuffer()
"""Each thread's buffer for get_or_load. A loader running on the thread may call get_or_load
again (for another key) into the same buffer: that inner call has returned, and its bytes
been copied out, before the library writes the outer call's value."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a failed (from C's side) load hands every waiter: an exception to raise, or a value to return."""

    error: BaseException | None = None
    value: bytes | None = None

    def result(self) -> bytes:
        if self.error is not None:
            raise self.error
        assert self.value is not None  # Safe because an _Outcome carries one or the other.
        return self.value


@dataclass(slots=True)
class _Published:
    """A published outcome, with who may still read it."""

    outcome: _Outcome
    leader: int
    readers: set[int]
    open: bool = True
    """Its leader is still registered: callers registering now may yet have joined its load."""


@dataclass(slots=True)
class _KeyLoads:
    """The Python callers of one key in flight, and the outcomes they may need."""

    callers: set[int] = field(default_factory=set)
    published: dict[int, _Published] = field(default_factory=dict)


class Loads:
    """One cache's book of ``get_or_load`` calls in flight, by key (see the module's docstring),
    and of the loaders of its background reloads (``reloads``).

    Attributes:
        number: this cache's ``user_data`` for ``_LOADER``; never 0, never reused.
        library, handle: the cache's library and ``trove_t`` handle.
        segment_size: the cache's largest entry, key and header included (``Stats.segment_size``).
        reloads: the loader of each key loaded with refresh-ahead (``trove._reloads``).
    """

    __slots__ = ("_lock", "_keys", "_tokens", "number", "library", "handle", "segment_size", "reloads")

    def __init__(self, library: Library, handle: int, segment_size: int = 0) -> None:
        self._lock = threading.Lock()
        self._keys: dict[bytes, _KeyLoads] = {}
        self._tokens = itertools.count(1)
        self.number = next(_numbers)
        self.library = library
        self.handle = handle
        self.segment_size = segment_size
        self.reloads = Reloads()
        _books[self.number] = self

    def on_refresh_thread(self) -> bool:
        """Whether the calling thread runs one of this cache's background reloads (which ``close`` would wait for)."""
        return on_refresh_thread(self.number)

    def keeps(self, key: bytes) -> bool:
        """Whether ``key``'s reload record is still needed: a call of it is in flight, or it is cached."""
        with self._lock:
            if key in self._keys:
                return True
        status = self.library.cdll.trove_contains(self.handle, key, len(key))
        return bool(status != _abi.NOT_FOUND)  # an error (closed) keeps it: close drops them all

    def enter(self, key: bytes, caller: int) -> None:
        """Registers ``caller`` before its C call for ``key``."""
        with self._lock:
            loads = self._keys.get(key)
            if loads is None:
                loads = self._keys[key] = _KeyLoads()
            loads.callers.add(caller)
            for published in loads.published.values():
                if published.open:
                    published.readers.add(caller)

    def publish(self, key: bytes, leader: int, outcome: _Outcome) -> int:
        """Publishes the outcome of ``leader``'s load of ``key``; returns its token, for the callback to return."""
        with self._lock:
            # Positive and within a C int; wraps after 2**31 - 1 failed loads, long after any waiter is gone.
            token = next(self._tokens) % 0x7FFF_FFFF + 1
            loads = self._keys[key]
            loads.published[token] = _Published(outcome, leader, loads.callers - {leader})
            return token

    def take(self, key: bytes, caller: int, message: str) -> _Outcome | None:
        """The outcome of the load ``caller`` waited for, named by the token in the library's
        ``message``; else the latest ``caller`` may read; None if there is none (a C loader)."""
        match = _TOKEN.search(message)
        token = int(match.group(1)) if match else None
        with self._lock:
            loads = self._keys[key]
            published = loads.published.get(token) if token is not None else None
            if published is not None and caller in published.readers:
                return published.outcome
            readable = [each for each in loads.published.values() if caller in each.readers]
            return readable[-1].outcome if readable else None

    def leave(self, key: bytes, caller: int) -> None:
        """Unregisters ``caller`` after its C call, dropping the outcomes nobody can need any more."""
        with self._lock:
            loads = self._keys[key]
            loads.callers.discard(caller)
            for token, published in list(loads.published.items()):
                published.readers.discard(caller)
                if published.leader == caller:
                    published.open = False
                if not published.open and not published.readers:
                    del loads.published[token]
            if not loads.callers:
                assert not loads.published  # Safe because readers and open leaders are registered callers.
                del self._keys[key]

    def in_flight(self) -> int:
        """Keys with calls in flight (for tests: zero once every call has returned)."""
        with self._lock:
            return len(self._keys)


class _Call:
    """One ``get_or_load`` call, as its loader callback sees it: ``how`` its loader, TTL, interval and tags."""

    __slots__ = ("loads", "key", "how", "ident", "outcome", "loaded")

    def __init__(self, loads: Loads, key: bytes, how: Reload, ident: int) -> None:
        self.loads = loads
        self.key = key
        self.how = how
        self.ident = ident
        self.outcome: _Outcome | None = None
        """Set when this call's loader failed or found a value too large to cache."""
        self.loaded: bytes | None = None
        """The value this call's loader found, if it ran and found one."""

    def run_loader(self, load: int | None) -> int:
        """The loader callback's body for a miss: 0 with the value set (or none), or a published token."""
        if not self.how.refresh_ms:
            self.loads.reloads.discard(self.key)  # this load's value is not reloaded
        try:
            value = _value(self.how.loader(self.key))
            if value is None:
                return 0
            self.loaded = value
            if _hand_over(self.loads, load, self.key, value, self.how):
                return 0
            # Too large to cache: handed to every waiter the way an exception is, as put's TooBig
            # would refuse it. The library counts it as a failed load.
            self.outcome = _Outcome(value=value)
        except BaseException as error:  # every waiter must hear of it, KeyboardInterrupt too
            self.outcome = _Outcome(error=error)
        return self.loads.publish(self.key, self.ident, self.outcome)


def _value(found: bytes | bytearray | memoryview | None) -> bytes | None:
    """What a loader returned, as bytes (None for absent); TypeError for another type."""
    if found is None or type(found) is bytes:
        return found
    return value_bytes(found)


def _hand_over(loads: Loads, load: int | None, key: bytes, value: bytes, how: Reload) -> bool:
    """Sets ``value`` (with ``how``'s TTL, interval and tags) as what the running loader found;
    False if it is too large to cache. Raises the library's error for anything else."""
    if len(key) + len(value) + MAXIMUM_ENTRY_HEADER > loads.segment_size:
        return False
    cdll = loads.library.cdll
    if how.tags:
        count = len(how.tags)
        status = cdll.trove_load_set_tags(
            load, count, (ctypes.c_char_p * count)(*how.tags), (ctypes.c_size_t * count)(*map(len, how.tags))
        )
        if status != _abi.OK:
            raise loads.library.error(status)
    status = cdll.trove_load_set(load, value, len(value), how.ttl_ms, how.refresh_ms)
    if status == _abi.OK:
        return True
    if status == _abi.ETOOBIG:
        return False
    raise loads.library.error(status)


def _reload(loads: Loads, key: bytes, load: int | None) -> int:
    """The loader callback's body for a background reload, on the library's refresh thread.

    Returns 0 with the new value set; 0 with none when the loader found none (the library
    then removes the cached value); else non-zero, a failure, which keeps the cached value
    until its TTL (``Stats.refresh_failures``). Misses of the key that wait for the reload get
    its outcome as they would a miss's load: the very exception, or a value too large to cache.
    """
    how = loads.reloads.get(key)
    if how is None:
        return _NO_RELOAD
    ident = next(_ids)
    loads.enter(key, ident)
    _active.reloading = loads.number
    try:
        try:
            value = _value(how.loader(key))
            if value is None or _hand_over(loads, load, key, value, how):
                return 0
            # Too large to cache: waiters get it, and the old value goes rather than stay served.
            outcome = _Outcome(value=value)
            loads.library.cdll.trove_delete(loads.handle, key, len(key))
        except BaseException as error:  # nothing may escape to ctypes, which would return 0: "found nothing"
            outcome = _Outcome(error=error)
            _log.warning("background refresh of %r failed; the cached value stays until its TTL", key, exc_info=error)
        return loads.publish(key, ident, outcome)
    finally:
        _active.reloading = None
        loads.leave(key, ident)


class _Active(threading.local):
    """What runs on this thread: its ``get_or_load`` calls, innermost last, and the cache
    whose background reload it runs, if any."""

    def __init__(self) -> None:
        self.calls: list[_Call] = []
        self.reloading: int | None = None


_active = _Active()
_books: dict[int, Loads] = {}
"""The open caches' books, by number: the ``user_data`` the library passes the callback."""
_numbers = itertools.count(1)
_ids = itertools.count(1)
_log = logging.getLogger("trove")

_NO_RELOAD = -1
"""The callback's status when it has no loader to run: a failure, which keeps the cached value."""


def _run_loader(user_data: int | None, key: int | None, key_length: int, load: int | None) -> int:
    """The ``trove_loader_fn`` of every call; ``user_data`` is the cache's number.

    A miss runs its loader on the thread of the call that missed, during that call: the
    innermost call running on this thread. Anything else is a background reload.
    """
    try:
        calls = _active.calls
        if calls and calls[-1].loads.number == user_data:
            return calls[-1].run_loader(load)
        loads = _books.get(user_data or 0)
        if loads is None or key is None:
            return _NO_RELOAD
        return _reload(loads, ctypes.string_at(key, key_length), load)
    except BaseException:  # noqa: BLE001 - returning 0 from here would remove a cached value
        return _NO_RELOAD


_LOADER = _abi.LOADER_FN(_run_loader)
"""The callback, made once and kept for the life of the process: the library may call it
for a background reload until the cache is closed, and ctypes frees a collected one's code."""


def on_refresh_thread(number: int) -> bool:
    """Whether the calling thread runs a background reload of cache ``number`` now."""
    return _active.reloading == number


def forget(number: int) -> None:
    """Drops the book of cache ``number`` and its reload loaders; called once ``trove_close`` returned."""
    loads = _books.pop(number, None)
    if loads is not None:
        loads.reloads.clear()


def get_or_load(
    loads: Loads, key: bytes, loader: Loader, ttl_ms: int, refresh_ms: int, tags: tuple[bytes, ...]
) -> bytes | None:
    """``Cache.get_or_load`` once its arguments are converted; see it for the behaviour."""
    ident = next(_ids)
    call = _Call(loads, key, Reload(loader, ttl_ms, refresh_ms, tags), ident)
    calls = _active.calls
    calls.append(call)
    loads.enter(key, ident)
    try:
        if refresh_ms:
            # Before the call, whose hit may start the reload that looks the loader up by key;
            # after entering, so that a sweep keeps this key's record.
            loads.reloads.remember(key, call.how, loads.keeps)
        get_or_load = loads.library.cdll.trove_get_or_load
        library, handle = loads.library, loads.handle
        buffer, capacity, length, length_ref = _receive.parts
        while True:
            # A CDLL call: ctypes releases the GIL, so a waiter blocks in the library without
            # holding it; the callback takes it again to run the loader on this thread.
            status = get_or_load(handle, key, len(key), _LOADER, loads.number, buffer, capacity, length_ref)
            if status == _abi.OK:
                return buffer[: length.value]  # type: ignore[return-value]  # a c_char slice is bytes
            if status == _abi.NOT_FOUND:
                return None
            if status == _abi.EBUFSIZE:
                if call.loaded is not None:
                    return call.loaded  # this call loaded it: no need to read it back
                # The value (cached, or another caller's load of it) is larger than the buffer:
                # again at the size the library reported. See Cache.get_or_load for a racing write.
                needed = length.value
                if _receive.capacity < needed <= KEPT_CAPACITY:
                    _receive.resize(needed)
                    buffer, capacity, length, length_ref = _receive.parts
                elif needed > capacity.value:
                    buffer, capacity = ctypes.create_string_buffer(needed), ctypes.c_size_t(needed)
                continue
            if status == _abi.ELOADER:
                message = (library.cdll.trove_last_error() or b"").decode(errors="replace")
                outcome = call.outcome or loads.take(key, ident, message)
                if outcome is None:
                    raise LoaderError(message or library.strerror(status), _abi.ELOADER)
                return outcome.result()
            raise library.error(status)
    finally:
        loads.leave(key, ident)
        calls.pop()
