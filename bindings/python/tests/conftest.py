"""Fixtures: every test that takes ``cache`` runs once per implementation of the hot calls.

When trove._speedups is not compiled, the C half of those runs cannot happen: with
``TROVE_EXPECT_SPEEDUPS=1`` (scripts/test.sh) each of them fails; otherwise each is skipped
and the run ends with a warning that says how many, so a plain ``pytest`` never quietly
tests only the ctypes half.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import trove
from trove._calls import SPEEDUPS, SPEEDUPS_VARIABLE
from trove._hot_ctypes import CtypesCalls
from trove._loader import load_library
from trove.cache import CacheMethods

PROJECT_ROOT = Path(__file__).resolve().parents[3]
EXPECT_SPEEDUPS_VARIABLE = "TROVE_EXPECT_SPEEDUPS"

_speedups_skipped = 0


def _why_no_speedups() -> str:
    if os.environ.get(SPEEDUPS_VARIABLE) == "0":
        return f"turned off by {SPEEDUPS_VARIABLE}=0"
    return "trove._speedups did not compile or import: is gcc or Python.h missing?"


class CtypesCache(CtypesCalls, CacheMethods):
    """A ``trove.Cache`` whose hot calls go through ctypes even when trove._speedups is compiled."""

    __slots__ = ("_finalizer", "_loads", "_removals", "__weakref__")


@pytest.fixture(params=["speedups", "ctypes"])
def cache_class(request: pytest.FixtureRequest) -> type[CacheMethods]:
    """``trove.Cache`` with the C hot calls, then the ctypes-only variant."""
    global _speedups_skipped
    if request.param == "speedups":
        if not SPEEDUPS:
            if os.environ.get(EXPECT_SPEEDUPS_VARIABLE) == "1":
                pytest.fail(f"{EXPECT_SPEEDUPS_VARIABLE}=1 but the C hot calls are missing: {_why_no_speedups()}")
            _speedups_skipped += 1
            pytest.skip(f"the C hot calls are missing: {_why_no_speedups()}")
        return trove.Cache
    return CtypesCache


@pytest.fixture
def cache(cache_class: type[CacheMethods]) -> Iterator[trove.Cache]:
    """An open 16 MiB cache (64 KiB segments), closed after the test."""
    with cache_class(capacity_bytes=16 << 20) as opened:
        yield opened  # type: ignore[misc]


@pytest.fixture
def advance_clock() -> Callable[[float], None]:
    """Moves the library's TTL clock forward by a number of seconds, instead of sleeping.

    Calls ``trove_test_advance_clock_ms``, the library's test-only export: it moves the clock
    of every cache in the process and cannot be undone, which is harmless here because the
    tests run one at a time and each opens its own cache. The real clock keeps running, so a
    check ``k`` seconds before an expiry has ``k`` seconds of real time as its margin.
    """
    library = load_library().cdll
    try:
        function = library.trove_test_advance_clock_ms
    except AttributeError:
        pytest.fail("libtrove.so has no trove_test_advance_clock_ms: rebuild it (scripts/build-lib.sh)")
    function.restype = ctypes.c_int
    function.argtypes = [ctypes.c_uint64]

    def advance(seconds: float) -> None:
        status = function(round(seconds * 1000))
        assert status == 0, f"trove_test_advance_clock_ms: status {status}"

    return advance


def pytest_report_header(config: pytest.Config) -> str:
    if SPEEDUPS:
        return "trove hot calls: C (trove._speedups) and ctypes"
    return f"trove hot calls: ctypes ONLY, the C half of the suite will not run ({_why_no_speedups()})"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _speedups_skipped:
        terminalreporter.section("trove: C hot calls NOT tested", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{_speedups_skipped} tests of trove._speedups were skipped: {_why_no_speedups()}. "
            f"Only the ctypes calls were tested; scripts/test.sh ({EXPECT_SPEEDUPS_VARIABLE}=1) fails instead.",
            red=True,
        )
