"""A snapshot of a cache's counters and gauges."""

from __future__ import annotations

from dataclasses import dataclass, fields

from . import _abi


@dataclass(frozen=True, slots=True)
class Stats:
    """What ``Cache.stats()`` returns: ``trove_stats_t`` as an immutable dataclass.

    Counters (hits, misses, puts, deletes, evictions, expirations, reinsertions) count
    since the cache was opened; the rest are gauges read at the moment of the call.
    """

    hits: int
    misses: int
    puts: int
    deletes: int
    evictions: int
    expirations: int
    reinsertions: int
    items: int
    payload_bytes: int
    memory_bytes: int
    index_bytes: int
    capacity_bytes: int
    stripes: int
    segment_size: int

    @property
    def hit_ratio(self) -> float:
        """hits / (hits + misses), or 0.0 before the first get."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0

    @classmethod
    def from_struct(cls, struct: _abi.StatsStruct) -> Stats:
        """Copies every field out of a filled ``trove_stats_t``."""
        return cls(**{field.name: getattr(struct, field.name) for field in fields(cls)})
