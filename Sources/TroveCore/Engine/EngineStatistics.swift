/// A snapshot of an engine's counters and gauges.
///
/// Counters are summed from per-thread and per-stripe cells without stopping the
/// engine, so a snapshot taken under load is approximate: each number was true at some
/// moment during the call, not all at the same moment.
package struct EngineStatistics: Sendable, Equatable {
    /// Gets that found a value (in any tier).
    package var hits: UInt64 = 0
    /// Gets that found nothing (including expired entries).
    package var misses: UInt64 = 0
    /// Successful puts.
    package var puts: UInt64 = 0
    /// Deletes that removed an entry.
    package var deletes: UInt64 = 0
    /// Entries the policy removed to make room.
    package var evictions: UInt64 = 0
    /// Entries removed because their TTL had passed.
    package var expirations: UInt64 = 0
    /// Entries the policy moved to a queue head instead of evicting.
    package var reinsertions: UInt64 = 0
    /// Entries in the hot tier now.
    package var items: UInt64 = 0
    /// Key and value bytes of those entries.
    package var payloadBytes: UInt64 = 0
    /// Bytes of the budget in use: arena segments handed to stripes, index tables and policy metadata.
    package var memoryBytes: UInt64 = 0
    /// Of `memoryBytes`, the index tables and policy metadata (ghosts, sketches).
    package var indexBytes: UInt64 = 0
    /// The hot tier's budget.
    package var capacityBytes: UInt64 = 0
    /// Stripes in use.
    package var stripes: UInt32 = 0
    /// Bytes per arena segment; an entry (header, key, value) must fit in one.
    package var segmentSize: UInt32 = 0
    /// The policy's reuse predictions checked against what happened next (all 0 for policies without a model).
    package var predictions = PredictionOutcomes()
    /// How read-through loads (`getOrLoad`) went.
    package var loading = LoadStatistics()
    /// Removal notifications delivered to the listener, and dropped because its queue was full.
    package var removalsDelivered: UInt64 = 0
    package var removalsDropped: UInt64 = 0
    /// `invalidate(tag:)` calls.
    package var tagInvalidations: UInt64 = 0
    /// Tags carried by at least one key now.
    package var tags: UInt64 = 0
    /// Keys carrying at least one tag now.
    package var taggedKeys: UInt64 = 0
    /// The disk tier's statistics, when a path was given (its `failure` says why it is off, if it is).
    package var cold: ColdStatistics?

    package init() {}

    /// Hits over gets, or 0 before any get.
    package var hitRatio: Double {
        let gets = hits + misses
        return gets == 0 ? 0 : Double(hits) / Double(gets)
    }

}
