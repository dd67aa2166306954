import Synchronization

/// How an engine's loads went: loader calls, failures, coalesced waiters and loader time.
final class LoadCounters: @unchecked Sendable {
    /// Loader calls (the leaders of single-flight loads).
    let loads = Atomic<UInt64>(0)
    /// Loader calls that failed (threw, or returned an error to the C ABI).
    let failures = Atomic<UInt64>(0)
    /// Callers that waited for another caller's load instead of loading.
    let coalesced = Atomic<UInt64>(0)
    /// Misses answered "not found" from the remembered absent keys, without a loader call.
    let absentHits = Atomic<UInt64>(0)
    /// Background reloads of values loaded with a refresh interval (refresh-ahead) that ran a loader.
    let refreshes = Atomic<UInt64>(0)
    /// Of those, the ones whose loader failed (the cached value stays until its time to live).
    let refreshFailures = Atomic<UInt64>(0)
    /// Nanoseconds spent in loaders, in all.
    let nanoseconds = Atomic<UInt64>(0)
    /// Loader calls by duration: word `i` counts those of at most `bucketBounds[i]` seconds
    /// (and more than the bound before); the last word counts the rest.
    private let buckets: UnsafeMutablePointer<UInt64>

    /// Upper bounds of the duration buckets, in seconds (10 µs to 10 s, as Prometheus's defaults extended down).
    static let bucketBounds: [Double] = [
        0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10,
    ]

    init() {
        buckets = .allocate(capacity: LoadCounters.bucketBounds.count + 1)
        buckets.initialize(repeating: 0, count: LoadCounters.bucketBounds.count + 1)
    }

    deinit {
        buckets.deallocate()
    }

    /// Counts one loader call that took `elapsed` nanoseconds and failed or not.
    func record(nanoseconds elapsed: UInt64, failed: Bool) {
        loads.add(1, ordering: .relaxed)
        if failed { failures.add(1, ordering: .relaxed) }
        nanoseconds.add(elapsed, ordering: .relaxed)
        let seconds = Double(elapsed) / 1e9
        let bucket = LoadCounters.bucketBounds.firstIndex { seconds <= $0 } ?? LoadCounters.bucketBounds.count
        // Safe because `bucket` is at most `bucketBounds.count`, the last of the words allocated.
        AtomicWords.add(1, buckets + bucket)
    }

    /// Loader calls per duration bucket, the last for those over every bound.
    var bucketCounts: [UInt64] {
        (0...LoadCounters.bucketBounds.count).map { AtomicWords.loadRelaxed(buckets + $0) }
    }
}
