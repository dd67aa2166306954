"""Trove's exceptions: one ``TroveError`` subclass per negative C status code."""

from __future__ import annotations

from . import _abi


class TroveError(Exception):
    """A trove_* call failed.

    Attributes:
        code: the negative C status code (``TROVE_E*`` in trove.h).

    The message is the library's sentence for the calling thread's last error
    (``trove_last_error()``), which says what went wrong and what to do.
    """

    code: int = 0

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidArgument(TroveError, ValueError):
    """TROVE_EINVAL: an empty key, an unknown option or policy, a malformed pattern."""

    code = _abi.EINVAL


class TooBig(TroveError, ValueError):
    """TROVE_ETOOBIG: a key over 1024 bytes, or a value too large for one arena segment."""

    code = _abi.ETOOBIG


class BufferTooSmall(TroveError):
    """TROVE_EBUFSIZE: a value did not fit a buffer. The binding retries, so rarely seen."""

    code = _abi.EBUFSIZE


class Closed(TroveError, ValueError):
    """TROVE_ECLOSED: the cache was closed (a ``ValueError``, like a closed file's)."""

    code = _abi.ECLOSED


class OutOfMemory(TroveError, MemoryError):
    """TROVE_ENOMEM: no memory could be found or freed for the entry or the cache."""

    code = _abi.ENOMEM


class DiskError(TroveError, OSError):
    """TROVE_EIO: the disk tier failed; the cache keeps serving from memory."""

    code = _abi.EIO


class NoSpace(TroveError, OSError):
    """TROVE_ENOSPC: the disk or the disk budget is full."""

    code = _abi.ENOSPC


class BadFormat(TroveError):
    """TROVE_EFORMAT: the cache directory holds another format or geometry, or is corrupted."""

    code = _abi.EFORMAT


class LoaderError(TroveError):
    """TROVE_ELOADER: the loader of a ``get_or_load`` failed; nothing was cached.

    Raised only when the load this call waited for had no Python exception to hand on: a
    loader passed to ``trove_get_or_load`` by C code or another binding, which returned a
    non-zero status (the message says which). A Python loader's own exception reaches every
    caller waiting on its load instead.
    """

    code = _abi.ELOADER


_BY_CODE: dict[int, type[TroveError]] = {
    cls.code: cls
    for cls in (
        InvalidArgument,
        TooBig,
        BufferTooSmall,
        Closed,
        OutOfMemory,
        DiskError,
        NoSpace,
        BadFormat,
        LoaderError,
    )
}


def error_for(code: int, message: str) -> TroveError:
    """The exception for a negative status ``code``: its subclass, or ``TroveError`` for an unknown code."""
    return _BY_CODE.get(code, TroveError)(message, code)
