"""``Cache.set_removal_listener``: the library's removal listener (``trove_set_removal_listener``) for Python callables.

The library calls a C function pointer on a delivery thread of its own for each entry that
leaves a cache. Every cache gets the same one, ``_CALLBACK``, made once and never freed,
with the cache's number as its ``user_data``; it looks the Python listener up by that
number at each call. So no callback code can be freed while the library may still call it:

- The library takes a batch of queued notifications together with the function set at that
  moment, then calls that function for each, with no lock held (``RemovalQueue.swift``):
  after ``trove_set_removal_listener`` replaces or removes it, the old function may still be
  called for the rest of the batch, and only ``trove_close``, which joins the delivery
  thread, ends that. ctypes frees a callback's code when its object is collected, so a
  callback per listener would have to outlive every listener it replaced until then.
- A ``trove_close`` run on the delivery thread itself (by the garbage collector, inside a
  listener) cannot join it, and returns while the rest of the batch is still to come.

The lookup also gives Python the simpler guarantee that the engine does not: once
``set_removal_listener`` returns, the listener it replaced or removed is not called again
(a call already running may finish). ``_listeners`` holds the listeners set on open caches:
the cache holds its listener until the listener is removed or the cache is closed.
"""

from __future__ import annotations

import ctypes
import enum
import itertools
import threading
from collections.abc import Callable

from . import _abi
from ._loader import Library


class RemovalCause(enum.IntEnum):
    """Why an entry left the cache, as a removal listener is told; the values are trove.h's ``TROVE_REMOVED_*``."""

    EVICTED = 1
    """The policy made room, and the entry did not go to the disk tier."""
    EXPIRED = 2
    """Its TTL passed (noticed by a read or by eviction)."""
    DELETED = 3
    """``delete`` or ``delete_many`` removed it."""
    REPLACED = 4
    """A put overwrote it."""
    INVALIDATED = 5
    """``invalidate_prefix``, ``invalidate_glob`` or ``clear`` removed it from memory."""
    DEMOTED = 6
    """The policy moved it from memory to the disk tier."""
    DROPPED_FROM_DISK = 7
    """The disk tier gave up its record: its region was evicted to make room."""


RemovalListener = Callable[[bytes, RemovalCause], object]
"""A removal listener: given the key's bytes and why it left; what it returns is ignored."""

_CAUSES = {int(cause): cause for cause in RemovalCause}
_listeners: dict[int, RemovalListener] = {}
"""The listener of each open cache that has one, by the number passed as ``user_data``."""
_numbers = itertools.count(1)
_delivering = threading.local()
"""``cache``: the number of the cache whose listener runs on this thread now, if any."""


class Listeners:
    """One cache's end of the removal listener: its number, and a lock for changing its listener."""

    __slots__ = ("number", "_lock")

    def __init__(self) -> None:
        self.number = next(_numbers)
        """This cache's ``user_data`` for ``_CALLBACK``; never 0, never reused."""
        self._lock = threading.Lock()
        """Held while the library's listener and ``_listeners`` change together, so concurrent setters agree."""

    def set(self, library: Library, handle: int, listener: RemovalListener | None) -> None:
        """``Cache.set_removal_listener`` once its argument is checked; see it for the behaviour."""
        set_listener = library.cdll.trove_set_removal_listener
        with self._lock:
            if listener is None:
                status = set_listener(handle, _NO_CALLBACK, None)
                if status != _abi.OK:
                    raise library.error(status)
                # After the library stopped queueing: the rest of a batch it still delivers is dropped.
                _listeners.pop(self.number, None)
                return
            previous = _listeners.get(self.number)
            # Before the library's change: what it delivers from then on reaches the new listener.
            _listeners[self.number] = listener
            status = set_listener(handle, _CALLBACK, self.number)
            if status != _abi.OK:
                if previous is None:
                    _listeners.pop(self.number, None)
                else:
                    _listeners[self.number] = previous
                raise library.error(status)

    def on_delivery_thread(self) -> bool:
        """Whether the calling thread is running this cache's listener (which ``close`` would wait for)."""
        return getattr(_delivering, "cache", None) == self.number


def forget(number: int) -> None:
    """Drops the listener of cache ``number``; called once ``trove_close`` has returned."""
    _listeners.pop(number, None)


def _deliver(user_data: int | None, key: int | None, key_length: int, cause: int) -> None:
    """The ``trove_removal_fn`` of every cache: runs on the library's delivery thread, no cache lock held.

    An exception from the listener propagates to ctypes, which reports it through
    ``sys.unraisablehook`` and returns to the library; the next notification is delivered as usual.
    """
    assert user_data is not None  # Safe because Listeners.set passes a cache's number, which is never 0.
    listener = _listeners.get(user_data)
    if listener is None:
        return  # removed, or the cache closed, while the library still delivered a batch
    _delivering.cache = user_data
    try:
        listener(ctypes.string_at(key, key_length), _CAUSES.get(cause, cause))  # type: ignore[arg-type]
    finally:
        _delivering.cache = None


_CALLBACK = _abi.REMOVAL_FN(_deliver)
"""The callback, made once and kept for the life of the process (ctypes frees a collected one's code)."""
_NO_CALLBACK = _abi.REMOVAL_FN()
"""A NULL ``trove_removal_fn`` (ctypes does not take None for a function pointer argument)."""
