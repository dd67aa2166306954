"""Python arguments to the bytes and integers the C ABI takes."""

from __future__ import annotations

import math
from datetime import timedelta

Key = bytes | str
"""A key: bytes, or a str (encoded as UTF-8). 1 to 1024 bytes once encoded."""


def key_bytes(key: object) -> bytes:
    """Encodes a key that is not already ``bytes``: a str as UTF-8, a bytearray or memoryview copied.

    Raises TypeError for anything else (None included). Lengths are checked by the library.
    """
    if isinstance(key, str):
        return key.encode()
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key)
    raise TypeError(f"a Trove key is bytes or str, not {type(key).__name__}")


def value_bytes(value: object) -> bytes:
    """A value as ``bytes``: bytes as is, a bytearray or memoryview copied.

    Raises TypeError for anything else, str included: encode text yourself, or pickle
    objects (``trove.cached`` does).
    """
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"a Trove value is bytes, bytearray or memoryview, not {type(value).__name__}")


def ttl_milliseconds(ttl: float | timedelta | None) -> int:
    """A time to live in seconds (or a timedelta) as the C ABI's milliseconds; None is 0, never expire.

    Rounds up, so a positive TTL never becomes 0 (which would mean "never").
    Raises ValueError for a TTL that is not positive and finite, TypeError for a non-number.
    """
    if ttl is None:
        return 0
    seconds = ttl.total_seconds() if isinstance(ttl, timedelta) else ttl
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"ttl is a number of seconds or a timedelta, not {type(ttl).__name__}")
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ValueError(f"ttl must be a positive, finite number of seconds, not {ttl!r}")
    return min(math.ceil(seconds * 1000), 2**64 - 1)
