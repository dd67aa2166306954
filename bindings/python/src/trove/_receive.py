"""Per-thread receive buffers for values coming out of the library."""

from __future__ import annotations

import ctypes
import threading

INITIAL_CAPACITY = 4096
"""Bytes of a thread's first receive buffer; a larger value costs one retry."""

KEPT_CAPACITY = 64 * 1024
"""A thread keeps a grown buffer up to this size, so repeated large gets need no retry."""


class ReceiveBuffer(threading.local):
    """One receive buffer per thread, so concurrent gets never share memory.

    ctypes releases the GIL while the library copies a value in, so a buffer shared
    between threads could be overwritten before its bytes were read; a thread-local one
    cannot. ``parts`` is ``(buffer, capacity, length, length_ref)``: a ctypes char array,
    its size as a ``c_size_t``, the ``c_size_t`` the library fills and its ``byref``, all
    made once, so a get reads one thread-local attribute and converts no argument twice.
    """

    parts: tuple[ctypes.Array[ctypes.c_char], ctypes.c_size_t, ctypes.c_size_t, object]
    capacity: int

    def __init__(self) -> None:
        self.resize(INITIAL_CAPACITY)

    def resize(self, capacity: int) -> None:
        """Replaces this thread's buffer with one of ``capacity`` bytes."""
        length = ctypes.c_size_t()
        self.parts = (ctypes.create_string_buffer(capacity), ctypes.c_size_t(capacity), length, ctypes.byref(length))
        self.capacity = capacity


class BatchBuffers(threading.local):
    """Per-thread arrays for ``trove_get_many``: ``SLOTS`` keys, ``SLOT_SIZE`` bytes of value each.

    Allocated on a thread's first batched get (about 260 KiB) and reused after; a
    larger batch is sent in chunks, a larger value fetched again on its own.
    """

    SLOTS = 256
    SLOT_SIZE = 1024

    def __init__(self) -> None:
        slots, size = self.SLOTS, self.SLOT_SIZE
        self.values = ctypes.create_string_buffer(slots * size)
        base = ctypes.addressof(self.values)
        self.buffers = (ctypes.c_void_p * slots)(*(base + index * size for index in range(slots)))
        self.capacities = (ctypes.c_size_t * slots)(*([size] * slots))
        self.lengths = (ctypes.c_size_t * slots)()
        self.statuses = (ctypes.c_int * slots)()
