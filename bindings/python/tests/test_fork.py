"""A child forked after a cache opened: the cache raises trove.Closed saying why, closing it
returns at once, the child's own cache works, and the parent's is untouched."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

import trove
from trove.cache import CacheMethods


def _child(cache: trove.Cache, cache_class: type[CacheMethods], directory: Path) -> int:
    """The child's checks; its exit code (0: all held)."""
    try:
        cache.get("k")
    except trove.Closed as error:
        if "fork()" not in str(error):
            return 2
    else:
        return 1
    cache.close()
    with cache_class(capacity_bytes=4 << 20, path=directory) as own:
        own.put("c", b"1")  # type: ignore[attr-defined]
        if own.get("c") != b"1":  # type: ignore[attr-defined]
            return 3
    return 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_gets_a_clear_error_and_opens_its_own_cache(
    cache_class: type[CacheMethods], tmp_path: Path
) -> None:
    with cache_class(capacity_bytes=4 << 20, path=tmp_path / "parent") as cache:
        cache.put("k", b"v")  # type: ignore[attr-defined]
        child = os.fork()
        if child == 0:
            code = 4
            try:
                code = _child(cache, cache_class, tmp_path / "child")
            finally:
                os._exit(code)
        deadline = time.monotonic() + 60
        while True:
            done, status = os.waitpid(child, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                pytest.fail("the child hung")
            time.sleep(0.01)
        assert os.waitstatus_to_exitcode(status) == 0
        assert cache.get("k") == b"v"  # type: ignore[attr-defined]
