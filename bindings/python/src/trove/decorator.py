"""``@trove.cached``: memoize a function's results in a Trove cache."""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import ParamSpec, Protocol, TypeVar

from ._convert import Tags, refresh_milliseconds, tag_list, ttl_milliseconds
from .cache import Cache

_P = ParamSpec("_P")
_R = TypeVar("_R", covariant=True)

KEY_PICKLE_PROTOCOL = 5
"""Arguments are pickled with this fixed protocol, so a key does not change with the Python version."""


class CachedFunction(Protocol[_P, _R]):
    """What ``cached`` returns: the function, plus ``cache_key``, ``cache_clear`` and ``cache_prefix``."""

    cache_prefix: bytes

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """Calls the function, or returns its cached result for these arguments."""
        ...

    def cache_key(self, *args: _P.args, **kwargs: _P.kwargs) -> bytes:
        """The cache key of a call with these arguments."""
        ...

    def cache_clear(self) -> int:
        """Removes every cached result of this function; returns how many."""
        ...


def cached(
    cache: Cache,
    ttl: float | timedelta | None = None,
    *,
    name: str | None = None,
    refresh: float | timedelta | None = None,
    tags: Tags | Callable[..., Tags] | None = None,
) -> Callable[[Callable[_P, _R]], CachedFunction[_P, _R]]:
    """Decorates a function so its results are kept in ``cache`` for ``ttl`` seconds (None: until evicted).

    The key is ``trove.cached:<name>:`` followed by the hex BLAKE2b-128 digest of the
    pickled arguments (``(args, sorted kwargs)``, pickle protocol 5), where ``<name>`` is
    the function's ``module.qualname`` unless given. So:

    - arguments must be hashable, as for ``functools.lru_cache`` (TypeError otherwise),
      and picklable; equal arguments that pickle differently (``1`` and ``1.0``) are
      different keys, and keyword order does not matter;
    - the key is stable across processes and Python versions, and of fixed length,
      however large the arguments;
    - all results of one function share a prefix: ``f.cache_clear()`` removes them.

    Calls go through ``cache.get_or_load``, so concurrent calls with the same arguments,
    from any threads, run the function once (single flight): the caller that missed first
    runs it and gets its result object; the others wait (blocking, GIL released) and get
    an unpickled copy of it, or the very exception it raised. An exception is not cached:
    the next call runs the function again. A call that recurses with its own arguments
    raises ``trove.InvalidArgument`` rather than deadlocking.

    ``tags`` are the tags each result carries (``Cache.invalidate_tag`` removes the results
    carrying one): an iterable of bytes or str, or a callable given the call's arguments
    that returns one, such as ``tags=lambda user_id: [f"user:{user_id}"]``. ``refresh``
    (seconds, shorter than ``ttl``) reloads a result in the background once it is that old
    and read again, as ``Cache.get_or_load``'s ``refresh`` does: the function then runs on a
    thread of the library's own with the arguments of the latest call that read it, and
    every caller meanwhile gets the cached result; an exception there keeps the cached
    result until its TTL. The cache keeps those arguments until it is closed.

    Results are pickled (highest protocol) and unpickled on a hit, so they must be
    picklable, and a hit returns a copy, never the object first returned. A result too
    large for the cache is returned (to the waiters too) but not cached. Only unpickle
    what this process, or one you trust, wrote: do not share a cache directory with
    untrusted writers.

    Cost on a hit: one ``get_or_load`` (a ctypes call, about what a ctypes-only ``get``
    costs) plus pickling the arguments, hashing and unpickling the result (a few
    microseconds for small arguments).

    Raises (when decorating): ``trove.InvalidArgument`` for a ``refresh`` not shorter than
    ``ttl`` or bad fixed ``tags``; ValueError or TypeError for a bad ``ttl`` or ``refresh``.
    A ``tags`` callable's result is checked at each call, as ``get_or_load`` checks it.
    """
    # Checked now rather than at the first call.
    refresh_milliseconds(refresh, ttl_milliseconds(ttl))
    fixed_tags = None if tags is None or callable(tags) else tag_list(tags)

    def decorate(function: Callable[_P, _R]) -> CachedFunction[_P, _R]:
        prefix = f"trove.cached:{name or f'{function.__module__}.{function.__qualname__}'}:".encode()

        def cache_key(*args: _P.args, **kwargs: _P.kwargs) -> bytes:
            ordered = tuple(sorted(kwargs.items()))
            hash((args, ordered))  # unhashable arguments raise TypeError, as with lru_cache
            encoded = pickle.dumps((args, ordered), protocol=KEY_PICKLE_PROTOCOL)
            return prefix + hashlib.blake2b(encoded, digest_size=16).hexdigest().encode()

        @functools.wraps(function)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            key = cache_key(*args, **kwargs)
            produced: list[_R] | None = []
            caller = threading.get_ident()

            def load(_: bytes) -> bytes:
                result = function(*args, **kwargs)
                # Kept for this call only: a background reload runs it later, on another thread.
                if produced is not None and threading.get_ident() == caller:
                    produced.append(result)
                return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)

            carried = tags(*args, **kwargs) if callable(tags) else fixed_tags
            # A result too large for the cache comes back all the same (get_or_load does not cache it).
            try:
                pickled = cache.get_or_load(key, load, ttl, refresh, carried)
            finally:
                ran, produced = produced, None  # `load` may outlive this call (refresh): it keeps no result
            if ran:  # this call ran the function: its own result, as before caching
                return ran[-1]
            assert pickled is not None  # Safe because load never returns None.
            return pickle.loads(pickled)  # type: ignore[no-any-return]

        wrapper.cache_key = cache_key  # type: ignore[attr-defined]
        wrapper.cache_clear = lambda: cache.invalidate_prefix(prefix)  # type: ignore[attr-defined]
        wrapper.cache_prefix = prefix  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
