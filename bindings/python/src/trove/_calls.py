"""Chooses the implementation of ``Cache``'s hot calls: C (``trove._speedups``) when compiled, else ctypes."""

from __future__ import annotations

import os

from ._convert import key_bytes, ttl_milliseconds, value_bytes
from ._hot_ctypes import CtypesCalls

SPEEDUPS_VARIABLE = "TROVE_SPEEDUPS"
"""Set it to 0 to use the ctypes calls even when the C ones are compiled."""

try:
    if os.environ.get(SPEEDUPS_VARIABLE) == "0":
        raise ImportError(f"turned off by {SPEEDUPS_VARIABLE}=0")
    from . import _speedups
except ImportError:
    HotCalls: type[CtypesCalls] | type[_speedups.Calls] = CtypesCalls
    SPEEDUPS = False
else:
    _speedups.configure(key_bytes, value_bytes, ttl_milliseconds)
    HotCalls = _speedups.Calls
    SPEEDUPS = True
