"""The C ABI of libtrove.so as ctypes declarations: status codes, struct layouts, prototypes.

Mirrors ``include/trove.h`` for 64-bit Linux. The struct layouts are the ones that
``Sources/CTroveABI/abi_layout.c`` pins at compile time; ``tests/test_abi.py`` checks
the same offsets here, so a change on one side fails a test instead of shifting fields.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_uint32, c_uint64, c_void_p

# Status codes (the anonymous enum in trove.h).
OK = 0
NOT_FOUND = 1
EINVAL = -1
ETOOBIG = -2
EBUFSIZE = -3
ECLOSED = -4
ENOMEM = -5
EIO = -6
ENOSPC = -7
EFORMAT = -8
ELOADER = -9

# The library version this binding was written against (TROVE_VERSION_* in trove.h).
VERSION_MAJOR = 0
VERSION_MINOR = 1
VERSION_PATCH = 0


class Options(ctypes.Structure):
    """``trove_options_t``: 80 bytes, ``size`` first (``trove_options_init`` sets it to the library's own)."""

    _fields_ = [
        ("size", c_size_t),
        ("capacity_bytes", c_uint64),
        ("max_items", c_uint64),
        ("stripes", c_uint32),
        ("policy", c_char_p),
        ("path", c_char_p),
        ("disk_capacity_bytes", c_uint64),
        ("compression_threshold", c_uint32),
        ("compression_level", ctypes.c_int32),
        ("reserved0", c_uint32),
        ("absent_ttl_ms", c_uint64),
    ]


class OptionsBuffer(ctypes.Structure):
    """An ``Options`` with room behind it for fields a newer library may append.

    ``trove_options_init`` writes the library's own ``sizeof(trove_options_t)`` bytes;
    this reserve keeps a newer, longer struct from overrunning ours, and passing the
    whole buffer to ``trove_open`` keeps the library's defaults for fields we do not know.
    """

    _fields_ = [("options", Options), ("reserve", ctypes.c_char * 192)]


class StatsStruct(ctypes.Structure):
    """``trove_stats_t``: 296 bytes; fields are only ever appended."""

    _fields_ = [
        ("hits", c_uint64),
        ("misses", c_uint64),
        ("puts", c_uint64),
        ("deletes", c_uint64),
        ("evictions", c_uint64),
        ("expirations", c_uint64),
        ("reinsertions", c_uint64),
        ("items", c_uint64),
        ("payload_bytes", c_uint64),
        ("memory_bytes", c_uint64),
        ("index_bytes", c_uint64),
        ("capacity_bytes", c_uint64),
        ("stripes", c_uint32),
        ("segment_size", c_uint32),
        ("disk_state", c_uint32),
        ("disk_error", ctypes.c_int32),
        ("disk_hits", c_uint64),
        ("disk_misses", c_uint64),
        ("disk_items", c_uint64),
        ("disk_index_bytes", c_uint64),
        ("disk_bytes_written", c_uint64),
        ("disk_demoted_bytes", c_uint64),
        ("disk_demotions", c_uint64),
        ("disk_dropped_demotions", c_uint64),
        ("disk_checksum_failures", c_uint64),
        ("disk_read_errors", c_uint64),
        ("disk_regions_evicted", c_uint64),
        ("disk_promotions", c_uint64),
        ("disk_recovered_items", c_uint64),
        ("disk_recovery_ms", c_uint64),
        ("disk_capacity_bytes", c_uint64),
        ("predictions_checked", c_uint64),
        ("predictions_correct", c_uint64),
        ("predictions_reused", c_uint64),
        ("loads", c_uint64),
        ("load_failures", c_uint64),
        ("load_waiters", c_uint64),
        ("load_absent_hits", c_uint64),
        ("load_time_ns", c_uint64),
        ("removals_delivered", c_uint64),
        ("removals_dropped", c_uint64),
        ("refreshes", c_uint64),
        ("refresh_failures", c_uint64),
        ("tag_invalidations", c_uint64),
        ("tags", c_uint64),
        ("tagged_entries", c_uint64),
    ]


LOADER_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t, c_void_p)
"""``trove_loader_fn``: ``int (*)(void *user_data, const void *key, size_t key_len, trove_load_t *load)``."""


REMOVAL_FN = ctypes.CFUNCTYPE(None, c_void_p, c_void_p, c_size_t, c_int)
"""``trove_removal_fn``: ``void (*)(void *user_data, const void *key, size_t key_len, int cause)``."""


# name: (restype, argtypes). Handles travel as c_void_p; keys as c_char_p, which hands
# C the bytes object's own buffer without a copy (the length is always passed, so an
# embedded NUL is fine).
_size_p = POINTER(c_size_t)
PROTOTYPES: dict[str, tuple[object, list[object]]] = {
    "trove_options_init": (None, [POINTER(OptionsBuffer)]),
    "trove_open": (c_int, [POINTER(OptionsBuffer), POINTER(c_void_p)]),
    "trove_close": (c_int, [c_void_p]),
    "trove_put": (c_int, [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_uint64]),
    "trove_get": (c_int, [c_void_p, c_char_p, c_size_t, c_void_p, c_size_t, _size_p]),
    "trove_delete": (c_int, [c_void_p, c_char_p, c_size_t]),
    "trove_contains": (c_int, [c_void_p, c_char_p, c_size_t]),
    "trove_clear": (c_int, [c_void_p]),
    "trove_stats": (c_int, [c_void_p, POINTER(StatsStruct), c_size_t]),
    "trove_get_many": (
        c_int,
        [c_void_p, c_size_t, POINTER(c_char_p), _size_p, POINTER(c_void_p), _size_p, _size_p, POINTER(c_int)],
    ),
    "trove_put_many": (
        c_int,
        [c_void_p, c_size_t, POINTER(c_char_p), _size_p, POINTER(c_char_p), _size_p, c_uint64, POINTER(c_int)],
    ),
    "trove_delete_many": (c_int, [c_void_p, c_size_t, POINTER(c_char_p), _size_p, POINTER(c_int)]),
    "trove_invalidate_prefix": (c_int, [c_void_p, c_char_p, c_size_t, POINTER(c_uint64)]),
    "trove_invalidate_glob": (c_int, [c_void_p, c_char_p, POINTER(c_uint64)]),
    "trove_put_tagged": (
        c_int,
        [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_uint64, c_size_t, POINTER(c_char_p), _size_p],
    ),
    "trove_invalidate_tag": (c_int, [c_void_p, c_char_p, c_size_t, POINTER(c_uint64)]),
    "trove_metrics_text": (c_int, [c_void_p, c_char_p, c_size_t, _size_p]),
    "trove_flush": (c_int, [c_void_p]),
    "trove_load_set": (c_int, [c_void_p, c_char_p, c_size_t, c_uint64, c_uint64]),
    "trove_get_or_load": (
        c_int,
        [c_void_p, c_char_p, c_size_t, LOADER_FN, c_void_p, c_void_p, c_size_t, _size_p],
    ),
    "trove_load_set_tags": (c_int, [c_void_p, c_size_t, POINTER(c_char_p), _size_p]),
    "trove_set_removal_listener": (c_int, [c_void_p, REMOVAL_FN, c_void_p]),
    "trove_disk_error": (c_int, [c_void_p, c_char_p, c_size_t]),
    "trove_strerror": (c_char_p, [c_int]),
    "trove_last_error": (c_char_p, []),
    "trove_version": (c_uint32, []),
}


def declare(library: ctypes.CDLL) -> None:
    """Sets ``restype`` and ``argtypes`` of every trove function on ``library``, once.

    Raises ``AttributeError`` if the library lacks one of them.
    """
    for name, (restype, argtypes) in PROTOTYPES.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
