"""Python arguments to the bytes and integers the C ABI takes."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta

from .errors import InvalidArgument

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


MAXIMUM_TAGS = 8
"""The most tags one entry carries (TagIndex.maximumTagsPerEntry)."""

MAXIMUM_TAG_LENGTH = 1024
"""The longest tag in bytes, as for keys (TagIndex.maximumTagLength)."""

Tags = Iterable[bytes | bytearray | memoryview | str]
"""An entry's tags: an iterable (a list, a tuple, a set) of bytes or str (encoded as UTF-8)."""


def tag_bytes(tag: object) -> bytes:
    """One tag as bytes (a str encoded as UTF-8), checked to be 1 to 1024 bytes.

    Raises TypeError for anything but bytes, bytearray, memoryview or str, and
    ``trove.InvalidArgument`` for an empty tag or one over 1024 bytes.
    """
    if isinstance(tag, str):
        encoded = tag.encode()
    elif isinstance(tag, (bytes, bytearray, memoryview)):
        encoded = bytes(tag)
    else:
        raise TypeError(f"a Trove tag is bytes or str, not {type(tag).__name__}")
    if not 0 < len(encoded) <= MAXIMUM_TAG_LENGTH:
        raise InvalidArgument(f"a tag of {len(encoded)} bytes; tags are 1 to {MAXIMUM_TAG_LENGTH} bytes: {tag!r:.80}")
    return encoded


def tag_list(tags: object) -> tuple[bytes, ...]:
    """``tags`` (an iterable of bytes or str; None for none) as a checked tuple of bytes.

    A lone str or bytes is refused rather than taken for its characters.

    Raises TypeError for a non-iterable, a lone str or bytes, or a tag of the wrong type;
    ``trove.InvalidArgument`` for more than 8 tags, or a tag that is empty or over 1024 bytes.
    """
    if tags is None:
        return ()
    if isinstance(tags, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"tags is an iterable of tags, not a single {type(tags).__name__}: write tags=[{tags!r:.40}]")
    if not isinstance(tags, Iterable):
        raise TypeError(f"tags is an iterable of bytes or str, not {type(tags).__name__}")
    encoded = tuple(tag_bytes(tag) for tag in tags)
    if len(encoded) > MAXIMUM_TAGS:
        raise InvalidArgument(f"{len(encoded)} tags given; an entry carries at most {MAXIMUM_TAGS}")
    return encoded


def refresh_milliseconds(refresh: float | timedelta | None, ttl_ms: int) -> int:
    """A refresh interval in seconds (or a timedelta) as milliseconds, 0 for None (no refresh-ahead).

    Raises ValueError and TypeError as ``ttl_milliseconds`` does, and ``trove.InvalidArgument``
    when the interval is not shorter than a time to live of ``ttl_ms`` milliseconds (0: none).
    """
    if refresh is None:
        return 0
    milliseconds = ttl_milliseconds(refresh)
    if ttl_ms and milliseconds >= ttl_ms:
        raise InvalidArgument(
            f"refresh ({milliseconds} ms) must be shorter than ttl ({ttl_ms} ms): a value is reloaded "
            "in the background once refresh has passed, and only while it is still cached"
        )
    return milliseconds
