/// A snapshot of an engine's read-through loads and refreshes (see `LoadCounters`).
package struct LoadStatistics: Sendable, Equatable {
    /// Loader calls.
    package var loads: UInt64 = 0
    /// Of those, the ones that failed.
    package var failures: UInt64 = 0
    /// Misses that waited for another caller's load.
    package var coalesced: UInt64 = 0
    /// Misses answered from remembered absent keys.
    package var absentHits: UInt64 = 0
    /// Background reloads (refresh-ahead) that ran a loader; these count among `loads` too.
    package var refreshes: UInt64 = 0
    /// Of those, the ones that failed and left the cached value in place.
    package var refreshFailures: UInt64 = 0
    /// Time spent in loaders, in all.
    package var nanoseconds: UInt64 = 0
    /// Loader calls per duration bucket (`LoadCounters.bucketBounds`, in seconds; the last for longer ones).
    package var durationBuckets: [UInt64] = []

    package init() {}

    init(_ counters: LoadCounters) {
        loads = counters.loads.load(ordering: .relaxed)
        failures = counters.failures.load(ordering: .relaxed)
        coalesced = counters.coalesced.load(ordering: .relaxed)
        absentHits = counters.absentHits.load(ordering: .relaxed)
        refreshes = counters.refreshes.load(ordering: .relaxed)
        refreshFailures = counters.refreshFailures.load(ordering: .relaxed)
        nanoseconds = counters.nanoseconds.load(ordering: .relaxed)
        durationBuckets = counters.bucketCounts
    }

    /// The upper bounds, in seconds, of `durationBuckets` but the last.
    package static var bucketBounds: [Double] { LoadCounters.bucketBounds }
}
