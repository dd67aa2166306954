import Synchronization

/// The cold tier's running counters, bumped without a lock from any thread.
final class ColdCounters: Sendable {
    let hits = Atomic<UInt64>(0)
    let misses = Atomic<UInt64>(0)
    let regionsWritten = Atomic<UInt64>(0)
    let bytesWritten = Atomic<UInt64>(0)
    let demotedBytes = Atomic<UInt64>(0)
    let demotions = Atomic<UInt64>(0)
    let droppedDemotions = Atomic<UInt64>(0)
    let compressedRecords = Atomic<UInt64>(0)
    let checksumFailures = Atomic<UInt64>(0)
    let readErrors = Atomic<UInt64>(0)
    let regionsEvicted = Atomic<UInt64>(0)
    let promotions = Atomic<UInt64>(0)
}

extension Atomic where Value == UInt64 {
    /// Adds `delta`, relaxed: a statistic, not a synchronization point.
    @inline(__always)
    func bump(_ delta: UInt64 = 1) {
        wrappingAdd(delta, ordering: .relaxed)
    }

    @inline(__always)
    var value: UInt64 { load(ordering: .relaxed) }
}
