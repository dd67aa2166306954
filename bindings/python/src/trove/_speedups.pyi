"""Types of trove._speedups, the optional C version of Cache's hot calls (see _speedups.c)."""

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TypeVar

from ._loader import Library

_Default = TypeVar("_Default")

def configure(
    key_bytes: Callable[[object], bytes],
    value_bytes: Callable[[object], bytes],
    ttl_milliseconds: Callable[[float | timedelta], int],
) -> None: ...

class Calls:
    _handle: int
    _library: Library
    def _attach(self, library: Library, handle: int, /) -> None: ...
    def get(self, key: bytes | str, /, default: _Default = ...) -> bytes | _Default: ...
    def put(
        self,
        key: bytes | str,
        value: bytes | bytearray | memoryview,
        ttl: float | timedelta | None = None,
        tags: Iterable[bytes | bytearray | memoryview | str] | None = None,
    ) -> None: ...
    def delete(self, key: bytes | str, /) -> bool: ...
    def contains(self, key: bytes | str, /) -> bool: ...
    def __getitem__(self, key: bytes | str, /) -> bytes: ...
    def __setitem__(self, key: bytes | str, value: bytes | bytearray | memoryview, /) -> None: ...
    def __delitem__(self, key: bytes | str, /) -> None: ...
    def __contains__(self, key: object, /) -> bool: ...
