"""The hot calls of ``Cache`` (get, put, delete, contains, mapping forms) through ctypes alone.

Used when the optional C version, ``trove._speedups``, is not compiled (or is turned off
with ``TROVE_SPEEDUPS=0``). Behaves exactly like it; tests/ run against both.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypeVar

from . import _abi
from ._convert import Key, key_bytes, ttl_milliseconds, value_bytes
from ._loader import Library
from ._receive import KEPT_CAPACITY, ReceiveBuffer

_Default = TypeVar("_Default")
_MISSING: Any = object()
_receive = ReceiveBuffer()


class CtypesCalls:
    """Base class of a ctypes-only ``Cache``: the calls made on every request.

    Each is one ctypes call with declared argtypes, which releases the GIL while the
    library runs; a get copies into this thread's receive buffer (``ReceiveBuffer``).
    """

    __slots__ = ("_handle", "_library", "_trove_get", "_trove_put", "_trove_delete", "_trove_contains")
    _handle: int
    _library: Library
    _trove_get: Any
    _trove_put: Any
    _trove_delete: Any
    _trove_contains: Any
    _put_tagged: Any  # CacheMethods': a put with tags

    def _attach(self, library: Library, handle: int) -> None:
        """Binds these calls to an open ``handle`` of ``library``. Called once, by ``Cache()``."""
        self._handle = handle
        self._library = library
        self._trove_get = library.cdll.trove_get
        self._trove_put = library.cdll.trove_put
        self._trove_delete = library.cdll.trove_delete
        self._trove_contains = library.cdll.trove_contains

    def get(self, key: Key, /, default: _Default = None) -> bytes | _Default:  # type: ignore[assignment]
        """The value cached under ``key``, or ``default`` when it is absent or expired."""
        if type(key) is not bytes:
            key = key_bytes(key)
        buffer, capacity, length, length_ref = _receive.parts
        status = self._trove_get(self._handle, key, len(key), buffer, capacity, length_ref)
        if status == _abi.OK:
            return buffer[: length.value]  # type: ignore[return-value]  # a c_char slice is bytes
        return self._get_slow(key, status, default)

    def _get_slow(self, key: bytes, status: int, default: _Default) -> bytes | _Default:
        """The rare paths of ``get``: a miss, a value larger than the receive buffer, or an error."""
        receive = _receive
        while status == _abi.EBUFSIZE:
            # Retry once at the size the library reported (again only if the value grew meanwhile).
            needed = receive.parts[2].value
            if receive.capacity < needed <= KEPT_CAPACITY:
                receive.resize(needed)
            buffer, _, length, length_ref = receive.parts
            if needed > receive.capacity:
                buffer = ctypes.create_string_buffer(needed)
            status = self._trove_get(self._handle, key, len(key), buffer, len(buffer), length_ref)
            if status == _abi.OK:
                return buffer[: length.value]  # type: ignore[return-value]  # a c_char slice is bytes
        if status == _abi.NOT_FOUND:
            return default
        raise self._library.error(status)

    def put(
        self,
        key: Key,
        value: bytes | bytearray | memoryview,
        ttl: float | timedelta | None = None,
        tags: Iterable[bytes | bytearray | memoryview | str] | None = None,
    ) -> None:
        """Caches ``value`` under ``key`` for ``ttl`` seconds (None: until evicted), carrying
        ``tags`` (an iterable of bytes or str; None: no tag, dropping any the key carried).

        See ``CacheMethods.invalidate_tag``. A put with tags goes through ``_put_tagged``.
        """
        if tags is not None:
            self._put_tagged(key, value, ttl, tags)
            return
        if type(key) is not bytes:
            key = key_bytes(key)
        if type(value) is not bytes:
            value = value_bytes(value)
        ttl_ms = 0 if ttl is None else ttl_milliseconds(ttl)
        status = self._trove_put(self._handle, key, len(key), value, len(value), ttl_ms)
        if status != _abi.OK:
            raise self._library.error(status)

    def delete(self, key: Key, /) -> bool:
        """Removes ``key``; returns whether it was cached."""
        return self._key_call(self._trove_delete, key)

    def contains(self, key: Key, /) -> bool:
        """Whether ``key`` is cached and unexpired, without counting a hit or a miss."""
        return self._key_call(self._trove_contains, key)

    def _key_call(self, function: Any, key: Key) -> bool:
        if type(key) is not bytes:
            key = key_bytes(key)
        status = function(self._handle, key, len(key))
        if status < 0:
            raise self._library.error(status)
        return bool(status == _abi.OK)

    def __getitem__(self, key: Key) -> bytes:
        """``cache[key]``: the value, or ``KeyError`` when it is absent."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: Key, value: bytes | bytearray | memoryview) -> None:
        """``cache[key] = value``: ``put`` with no TTL."""
        self.put(key, value)

    def __delitem__(self, key: Key) -> None:
        """``del cache[key]``: ``delete``, raising ``KeyError`` when the key was absent."""
        if not self.delete(key):
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        """``key in cache``: ``contains``."""
        return self.contains(key)  # type: ignore[arg-type]
