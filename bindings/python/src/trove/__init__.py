"""Trove from Python: an embedded key-value cache engine, loaded in-process from libtrove.so.

    import trove

    with trove.Cache(capacity_bytes=64 << 20) as cache:
        cache.put("user:42", b"Ada Lovelace", ttl=60)
        print(cache.get("user:42"))

See ``Cache`` for the methods (``Cache.get_or_load`` for read-through loading and
refresh-ahead, ``put(..., tags=...)`` and ``Cache.invalidate_tag`` for tags,
``Cache.set_removal_listener`` to hear of entries leaving, with a ``RemovalCause``),
``cached`` for memoizing functions, and ``load_library`` for how libtrove.so is found.
"""

from ._loader import Library, LibraryNotFoundError, expected_version, load_library
from ._removals import RemovalCause
from .cache import Cache
from .decorator import cached
from .errors import (
    BadFormat,
    BufferTooSmall,
    Closed,
    DiskError,
    InvalidArgument,
    LoaderError,
    NoSpace,
    OutOfMemory,
    TooBig,
    TroveError,
)
from .stats import Stats

__version__ = "0.1.0"

__all__ = [
    "BadFormat",
    "BufferTooSmall",
    "Cache",
    "Closed",
    "DiskError",
    "InvalidArgument",
    "Library",
    "LibraryNotFoundError",
    "LoaderError",
    "NoSpace",
    "OutOfMemory",
    "RemovalCause",
    "Stats",
    "TooBig",
    "TroveError",
    "cached",
    "expected_version",
    "load_library",
]
