import TroveCore

/// A snapshot of a cache's counters and gauges.
///
/// Taken without stopping the cache: under concurrent load each number was true at some
/// moment during the call, not all at the same moment.
public struct CacheStatistics: Sendable, Equatable {
    /// Gets that found a value.
    public var hits: UInt64
    /// Gets that found nothing (absent or expired).
    public var misses: UInt64
    /// Successful puts.
    public var puts: UInt64
    /// Deletes that removed an entry.
    public var deletes: UInt64
    /// Entries the policy removed to make room.
    public var evictions: UInt64
    /// Entries removed because their time to live had passed.
    public var expirations: UInt64
    /// Entries the policy kept by moving them rather than evicting them.
    public var reinsertions: UInt64
    /// Entries in memory now.
    public var items: UInt64
    /// Key and value bytes of those entries.
    public var payloadBytes: UInt64
    /// Bytes of the budget in use (arena segments, index tables and policy metadata).
    public var memoryBytes: UInt64
    /// Of `memoryBytes`, the index tables and policy metadata.
    public var indexBytes: UInt64
    /// The memory budget.
    public var capacityBytes: UInt64
    /// Lock stripes in use.
    public var stripes: Int
    /// Bytes per arena segment: the largest entry (header, key and value) the cache can hold.
    public var segmentSize: Int
    /// The disk tier's statistics, for a cache opened with a `directory`.
    public var disk: DiskStatistics?
    /// Reuse predictions of the `adaptive` policy whose outcome the cache has since
    /// observed (0 for other policies).
    public var predictionsChecked: UInt64
    /// Of `predictionsChecked`, those that were right.
    public var predictionsCorrect: UInt64
    /// Of `predictionsChecked`, those whose entry was in fact requested again.
    public var predictionsReused: UInt64
    /// Loader calls made by `value(forKey:timeToLive:tags:loader:)`.
    public var loads: UInt64
    /// Of those, the ones that threw (nothing was cached).
    public var loadFailures: UInt64
    /// Misses that waited for another caller's load of the same key instead of loading.
    public var loadWaiters: UInt64
    /// Misses answered from keys remembered as absent (`CacheOptions.absentTimeToLive`).
    public var loadAbsentHits: UInt64
    /// Background reloads of values loaded with `refreshAfter:` (counted in `loads` too).
    public var refreshes: UInt64
    /// Of those, the ones that threw; the cached value stayed until its time to live.
    public var refreshFailures: UInt64
    /// Time spent in loaders, in all.
    public var loadTime: Duration
    /// `invalidate(tag:)` calls.
    public var tagInvalidations: UInt64
    /// Tags carried by at least one entry now.
    public var tags: UInt64
    /// Entries carrying at least one tag now.
    public var taggedEntries: UInt64
    /// Removal notifications the listener received (`Cache.setRemovalListener`).
    public var removalsDelivered: UInt64
    /// Removal notifications dropped because 4,096 were already waiting for the listener.
    public var removalsDropped: UInt64

    /// The share of the policy's reuse predictions that were right, or `nil` if it makes
    /// none (or none has been checked yet).
    public var predictionAccuracy: Double? {
        predictionsChecked == 0 ? nil : Double(predictionsCorrect) / Double(predictionsChecked)
    }

    /// Hits over gets, or 0 before the first get.
    public var hitRatio: Double {
        let gets = hits + misses
        return gets == 0 ? 0 : Double(hits) / Double(gets)
    }

    init(_ stats: EngineStatistics) {
        hits = stats.hits
        misses = stats.misses
        puts = stats.puts
        deletes = stats.deletes
        evictions = stats.evictions
        expirations = stats.expirations
        reinsertions = stats.reinsertions
        items = stats.items
        payloadBytes = stats.payloadBytes
        memoryBytes = stats.memoryBytes
        indexBytes = stats.indexBytes
        capacityBytes = stats.capacityBytes
        stripes = Int(stats.stripes)
        segmentSize = Int(stats.segmentSize)
        disk = stats.cold.map(DiskStatistics.init)
        predictionsChecked = UInt64(stats.predictions.checked)
        predictionsCorrect = UInt64(stats.predictions.correct)
        predictionsReused = UInt64(stats.predictions.reused)
        loads = stats.loading.loads
        loadFailures = stats.loading.failures
        loadWaiters = stats.loading.coalesced
        loadAbsentHits = stats.loading.absentHits
        refreshes = stats.loading.refreshes
        refreshFailures = stats.loading.refreshFailures
        loadTime = .nanoseconds(Int64(clamping: stats.loading.nanoseconds))
        tagInvalidations = stats.tagInvalidations
        tags = stats.tags
        taggedEntries = stats.taggedKeys
        removalsDelivered = stats.removalsDelivered
        removalsDropped = stats.removalsDropped
    }
}
