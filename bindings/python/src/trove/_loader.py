"""Finding, loading and checking libtrove.so, once per process."""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from . import _abi
from .errors import TroveError, error_for

LIBRARY_NAME = "libtrove.so"
ENVIRONMENT_VARIABLE = "TROVE_LIBRARY"

_PACKAGE_DIR = Path(__file__).resolve().parent
# Run from a checkout (or an editable install), this file is <root>/bindings/python/src/trove/_loader.py.
_FROM_CHECKOUT = _PACKAGE_DIR.parent.name == "src" and _PACKAGE_DIR.parents[2].name == "bindings"
_PROJECT_BUILD = _PACKAGE_DIR.parents[3] / ".build-lib" / "release" / LIBRARY_NAME if _FROM_CHECKOUT else None


class LibraryNotFoundError(ImportError):
    """libtrove.so could not be found, loaded, or is not a version this binding speaks.

    The message names every place searched and the version expected.
    """


@dataclass(frozen=True, slots=True)
class Library:
    """A loaded libtrove.so with its prototypes declared.

    Attributes:
        path: the file that was loaded.
        version: the library's (major, minor, patch), from ``trove_version()``.
        cdll: the ``ctypes.CDLL``; its functions release the GIL while they run.
    """

    path: Path
    version: tuple[int, int, int]
    cdll: ctypes.CDLL

    def error(self, status: int) -> TroveError:
        """The exception for a negative ``status``, explained by the calling thread's last error.

        Call it on the thread that made the failing call, before its next trove call.
        """
        message: bytes = self.cdll.trove_last_error()
        return error_for(status, message.decode(errors="replace") or self.strerror(status))

    def strerror(self, status: int) -> str:
        """The library's name and short explanation of a status code."""
        name: bytes = self.cdll.trove_strerror(status)
        return name.decode(errors="replace")

    def address(self, name: str) -> int:
        """The address of the library function ``name``, for trove._speedups."""
        address = ctypes.cast(getattr(self.cdll, name), ctypes.c_void_p).value
        if address is None:
            raise LibraryNotFoundError(f"{self.path} has no function {name}")
        return address


_lock = threading.Lock()
_loaded: Library | None = None


def expected_version() -> str:
    """The library version this binding was written against, as "major.minor.patch"."""
    return f"{_abi.VERSION_MAJOR}.{_abi.VERSION_MINOR}.{_abi.VERSION_PATCH}"


def candidates(path: str | os.PathLike[str] | None = None) -> list[Path]:
    """The places to look for the library, in order.

    An explicit ``path``, else ``$TROVE_LIBRARY``, is the only candidate when given: a
    library named on purpose is never silently replaced by another. Otherwise the
    package's own directory (a copy bundled at install time), then, when running from a
    checkout of the project, its release build folder (``.build-lib/release``).
    """
    if path is not None:
        return [Path(path)]
    if from_environment := os.environ.get(ENVIRONMENT_VARIABLE):
        return [Path(from_environment)]
    return [_PACKAGE_DIR / LIBRARY_NAME] + ([_PROJECT_BUILD] if _PROJECT_BUILD else [])


def load_library(path: str | os.PathLike[str] | None = None) -> Library:
    """Loads libtrove.so (once per process) and returns it.

    Searches ``candidates(path)`` and loads the first file that exists; later calls
    return the same library. Called by ``Cache()`` on first use; call it yourself to
    name a library explicitly or to fail fast at start-up.

    Raises:
        LibraryNotFoundError: (an ``ImportError``) if no candidate exists, the file
            does not load, lacks a trove function, or reports an incompatible version;
            or if ``path`` names a different file than the one already loaded.
    """
    global _loaded
    with _lock:
        if _loaded is not None:
            if path is not None and Path(path).resolve() != _loaded.path.resolve():
                raise LibraryNotFoundError(
                    f"libtrove.so is already loaded from {_loaded.path}; "
                    f"a process uses one library, so {path} was not loaded"
                )
            return _loaded
        searched = candidates(path)
        found = next((candidate for candidate in searched if candidate.is_file()), None)
        if found is None:
            raise LibraryNotFoundError(_not_found_message(searched, path))
        _loaded = _open(found)
        return _loaded


def _not_found_message(searched: list[Path], path: str | os.PathLike[str] | None) -> str:
    places = "\n".join(f"  - {candidate}" for candidate in searched)
    if path is not None:
        hint = "check the path passed to trove.load_library()"
    elif os.environ.get(ENVIRONMENT_VARIABLE):
        hint = f"check ${ENVIRONMENT_VARIABLE}, or unset it to search the default places"
    else:
        hint = (
            f"build it with scripts/build-lib.sh and reinstall the package, or set ${ENVIRONMENT_VARIABLE} to its path"
        )
    return f"libtrove.so {expected_version()} not found; searched:\n{places}\n({hint})"


def _open(path: Path) -> Library:
    try:
        cdll = ctypes.CDLL(str(path))
    except OSError as error:
        raise LibraryNotFoundError(f"{path} could not be loaded: {error}") from error
    try:
        cdll.trove_version.restype = ctypes.c_uint32
        cdll.trove_version.argtypes = []
        packed = cdll.trove_version()
        version = (packed >> 16 & 0xFF, packed >> 8 & 0xFF, packed & 0xFF)
        if not _compatible(version):
            raise LibraryNotFoundError(
                f"{path} is libtrove {'.'.join(map(str, version))}; this binding needs "
                f"{_abi.VERSION_MAJOR}.{_abi.VERSION_MINOR}.x (expected {expected_version()})"
            )
        _abi.declare(cdll)
    except AttributeError as error:
        raise LibraryNotFoundError(
            f"{path} is not a compatible libtrove.so (expected {expected_version()}): {error}"
        ) from error
    return Library(path=path, version=version, cdll=cdll)


def _compatible(version: tuple[int, int, int]) -> bool:
    """Same major; before 1.0 the minor must match too, after it may be newer."""
    major, minor, _ = version
    if major != _abi.VERSION_MAJOR:
        return False
    if major == 0:
        return minor == _abi.VERSION_MINOR
    return minor >= _abi.VERSION_MINOR
