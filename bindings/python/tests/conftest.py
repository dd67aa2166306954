"""Fixtures: every test that takes ``cache`` runs once per implementation of the hot calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import trove
from trove._calls import SPEEDUPS
from trove._hot_ctypes import CtypesCalls
from trove.cache import CacheMethods

PROJECT_ROOT = Path(__file__).resolve().parents[3]


class CtypesCache(CtypesCalls, CacheMethods):
    """A ``trove.Cache`` whose hot calls go through ctypes even when trove._speedups is compiled."""

    __slots__ = ("_finalizer", "__weakref__")


@pytest.fixture(params=["speedups", "ctypes"])
def cache_class(request: pytest.FixtureRequest) -> type[CacheMethods]:
    """``trove.Cache`` with the C hot calls, then the ctypes-only variant."""
    if request.param == "speedups":
        if not SPEEDUPS:
            pytest.skip("trove._speedups is not compiled (or TROVE_SPEEDUPS=0)")
        return trove.Cache
    return CtypesCache


@pytest.fixture
def cache(cache_class: type[CacheMethods]) -> Iterator[trove.Cache]:
    """An open 16 MiB cache (64 KiB segments), closed after the test."""
    with cache_class(capacity_bytes=16 << 20) as opened:
        yield opened  # type: ignore[misc]
