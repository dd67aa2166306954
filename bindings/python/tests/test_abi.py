"""The ctypes declarations match the C ABI: struct layouts and the set of functions."""

from __future__ import annotations

import ctypes
import os
import re

import pytest

from trove import _abi

from .conftest import PROJECT_ROOT

LAYOUT = PROJECT_ROOT / "Sources" / "CTroveABI" / "abi_layout.c"
HEADER = PROJECT_ROOT / "include" / "trove.h"
STRUCTS = {"trove_options_t": _abi.Options, "trove_stats_t": _abi.StatsStruct}


@pytest.mark.skipif(not LAYOUT.is_file(), reason="needs the project's source tree")
def test_struct_layouts_match_the_compile_time_checks() -> None:
    text = LAYOUT.read_text()
    offsets = re.findall(r"offsetof\((\w+), (\w+)\) == (\d+)", text)
    sizes = re.findall(r"sizeof\((\w+)\) == (\d+)", text)
    assert offsets and sizes
    for struct, field, offset in offsets:
        assert getattr(STRUCTS[struct], field).offset == int(offset), f"{struct}.{field}"
    for struct, size in sizes:
        assert ctypes.sizeof(STRUCTS[struct]) == int(size), struct


@pytest.mark.skipif(not HEADER.is_file(), reason="needs the project's source tree")
def test_every_function_and_status_in_the_header_is_declared() -> None:
    text = HEADER.read_text()
    functions = set(re.findall(r"\b(trove_\w+)\(", text)) - {"trove_options_t"}
    # The header's TEST ONLY hooks are not part of the binding (tests reach them through ctypes).
    test_hooks = {name for name in functions if name.startswith("trove_test_")}
    assert test_hooks == {"trove_test_advance_clock_ms"}
    assert functions - test_hooks == set(_abi.PROTOTYPES)
    for name, value in re.findall(r"TROVE_(E\w+|OK|NOT_FOUND) = (-?\d+)", text):
        assert getattr(_abi, name) == int(value), name
    for part in ("MAJOR", "MINOR", "PATCH"):
        declared = re.search(rf"TROVE_VERSION_{part} (\d+)", text)
        assert declared and int(declared.group(1)) == getattr(_abi, f"VERSION_{part}")


@pytest.mark.skipif(os.environ.get("TROVE_EXPECT_SPEEDUPS") != "1", reason="set by scripts/test.sh")
def test_the_c_hot_calls_were_compiled() -> None:
    from trove._calls import SPEEDUPS

    assert SPEEDUPS, "trove._speedups did not compile: is gcc or Python.h missing?"
