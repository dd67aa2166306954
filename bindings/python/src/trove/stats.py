"""A snapshot of a cache's counters and gauges."""

from __future__ import annotations

from dataclasses import dataclass, fields

from . import _abi


@dataclass(frozen=True, slots=True)
class Stats:
    """What ``Cache.stats()`` returns: ``trove_stats_t`` as an immutable dataclass.

    Counters (hits, misses, puts, deletes, evictions, expirations, reinsertions and the
    ``disk_`` counters) count since the cache was opened; the rest are gauges read at the
    moment of the call. ``disk_state`` is 0 without a disk tier, 1 while it serves and 2
    once a disk failure took it out of service (``disk_error`` holds the status code;
    ``Cache.disk_error()`` explains it). The ``predictions_`` counters are the ``adaptive``
    policy's reuse predictions checked against what happened (zero for other policies).
    The ``load`` counters are ``Cache.get_or_load``'s: ``loads`` loader calls, of which
    ``load_failures`` failed (raised, or returned a value too large to cache);
    ``load_waiters`` misses that waited for another caller's load instead of loading;
    ``load_absent_hits`` misses answered from keys remembered as absent (``absent_ttl``);
    ``load_time_ns`` nanoseconds spent in loaders, in all; ``refreshes`` background
    reloads of values loaded with a refresh interval (counted in ``loads`` too), of which
    ``refresh_failures`` failed and left the cached value in place. ``tag_invalidations``
    counts ``Cache.invalidate_tag`` calls; ``tags`` and ``tagged_entries`` are the tags in use
    and the entries carrying at least one, now (an entry evicted or expired stays counted
    until it is rewritten, invalidated or swept). ``removals_delivered`` counts the
    notifications a removal listener (``Cache.set_removal_listener``) received, and
    ``removals_dropped`` those dropped because 4096 were already waiting.
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
    disk_state: int
    disk_error: int
    disk_hits: int
    disk_misses: int
    disk_items: int
    disk_index_bytes: int
    disk_bytes_written: int
    disk_demoted_bytes: int
    disk_demotions: int
    disk_dropped_demotions: int
    disk_checksum_failures: int
    disk_read_errors: int
    disk_regions_evicted: int
    disk_promotions: int
    disk_recovered_items: int
    disk_recovery_ms: int
    disk_capacity_bytes: int
    predictions_checked: int
    predictions_correct: int
    predictions_reused: int
    loads: int
    load_failures: int
    load_waiters: int
    load_absent_hits: int
    load_time_ns: int
    removals_delivered: int
    removals_dropped: int
    refreshes: int
    refresh_failures: int
    tag_invalidations: int
    tags: int
    tagged_entries: int

    @property
    def hit_ratio(self) -> float:
        """hits / (hits + misses), or 0.0 before the first get."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0

    @property
    def prediction_accuracy(self) -> float | None:
        """How often the ``adaptive`` policy's reuse predictions were right, or None if
        the policy makes none (or none has been checked yet)."""
        return self.predictions_correct / self.predictions_checked if self.predictions_checked else None

    @classmethod
    def from_struct(cls, struct: _abi.StatsStruct) -> Stats:
        """Copies every field out of a filled ``trove_stats_t``."""
        return cls(**{field.name: getattr(struct, field.name) for field in fields(cls)})
