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
"""

from __future__ import annotations

import ctypes
import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from . import _abi
from ._convert import value_bytes
from ._loader import Library
from ._receive import KEPT_CAPACITY, ReceiveBuffer
from .errors import LoaderError

Loader = Callable[[bytes], "bytes | bytearray | memoryview | None"]
"""A loader: given the key's bytes, returns the value, or None when there is none."""

MAXIMUM_ENTRY_HEADER = 14
"""EntryLayout.maximumHeaderLength: an entry takes at most this much more than its key and value.

A loaded value is cached only if key, value and this header fit a segment. trove_load_set
itself refuses only values of 2 MiB and more; a larger-than-a-segment one it accepts is
silently not cached, and a waiter reading it again at its size would load it again. So
the binding decides here, erring by at most these few bytes below what ``put`` accepts."""

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
    """One cache's book of ``get_or_load`` calls in flight, by key (see the module's docstring).

    Attributes:
        segment_size: the cache's largest entry, key and header included (``Stats.segment_size``).
    """

    __slots__ = ("_lock", "_keys", "_tokens", "segment_size")

    def __init__(self, segment_size: int) -> None:
        self._lock = threading.Lock()
        self._keys: dict[bytes, _KeyLoads] = {}
        self._tokens = itertools.count(1)
        self.segment_size = segment_size

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
    """One ``get_or_load`` call, as its loader callback sees it."""

    __slots__ = ("library", "loads", "key", "loader", "ttl_ms", "ident", "outcome", "loaded")

    def __init__(self, library: Library, loads: Loads, key: bytes, loader: Loader, ttl_ms: int, ident: int) -> None:
        self.library = library
        self.loads = loads
        self.key = key
        self.loader = loader
        self.ttl_ms = ttl_ms
        self.ident = ident
        self.outcome: _Outcome | None = None
        """Set when this call's loader failed or found a value too large to cache."""
        self.loaded: bytes | None = None
        """The value this call's loader found, if it ran and found one."""

    def run_loader(self, load: int | None) -> int:
        """The loader callback's body: 0 with the value set (or none), or a published token."""
        try:
            found = self.loader(self.key)
            if found is None:
                return 0
            value = found if type(found) is bytes else value_bytes(found)
            self.loaded = value
            if len(self.key) + len(value) + MAXIMUM_ENTRY_HEADER <= self.loads.segment_size:
                status = self.library.cdll.trove_load_set(load, value, len(value), self.ttl_ms, 0)
                if status == _abi.OK:
                    return 0
                if status != _abi.ETOOBIG:
                    raise self.library.error(status)
            # Too large to cache: handed to every waiter the way an exception is, as put's TooBig
            # would refuse it. The library counts it as a failed load.
            self.outcome = _Outcome(value=value)
        except BaseException as error:  # every waiter must hear of it, KeyboardInterrupt too
            self.outcome = _Outcome(error=error)
        return self.loads.publish(self.key, self.ident, self.outcome)


_calls: dict[int, _Call] = {}
"""The calls in flight, by the id passed to the library as the callback's user_data."""
_ids = itertools.count(1)


def _run_loader(user_data: int | None, key: int | None, key_length: int, load: int | None) -> int:
    """The ``trove_loader_fn`` every call passes; ``user_data`` names the call."""
    assert user_data is not None  # Safe because get_or_load passes a call id, which is never 0.
    return _calls[user_data].run_loader(load)


_LOADER = _abi.LOADER_FN(_run_loader)
"""The callback, made once and kept for the life of the process (ctypes frees a collected one's trampoline)."""


def get_or_load(library: Library, handle: int, loads: Loads, key: bytes, loader: Loader, ttl_ms: int) -> bytes | None:
    """``Cache.get_or_load`` once the key and TTL are converted; see it for the behaviour."""
    ident = next(_ids)
    call = _Call(library, loads, key, loader, ttl_ms, ident)
    _calls[ident] = call
    loads.enter(key, ident)
    try:
        get_or_load = library.cdll.trove_get_or_load
        buffer, capacity, length, length_ref = _receive.parts
        while True:
            # A CDLL call: ctypes releases the GIL, so a waiter blocks in the library without
            # holding it; the callback takes it again to run the loader on this thread.
            status = get_or_load(handle, key, len(key), _LOADER, ident, buffer, capacity, length_ref)
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
        del _calls[ident]
