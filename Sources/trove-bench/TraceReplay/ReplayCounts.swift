/// What a replay has counted so far, and the ratios derived from it.
struct ReplayCounts: Equatable, Sendable {
    /// Requests replayed.
    var requests: UInt64 = 0
    /// Requests whose get found the object.
    var hits: UInt64 = 0
    /// Sum of the sizes of all requested objects, from the trace (also for object-count caches).
    var requestedBytes: UInt64 = 0
    /// Sum of the sizes of the objects that missed.
    var missedBytes: UInt64 = 0
    /// Misses of objects too large for one engine entry, which were not inserted (byte caches only).
    var oversized: UInt64 = 0
    /// Misses whose put the engine refused for lack of memory it could free.
    var rejectedPuts: UInt64 = 0

    /// Misses over requests; 0 before any request.
    var missRatio: Double {
        requests == 0 ? 0 : Double(requests - hits) / Double(requests)
    }

    /// Missed bytes over requested bytes, by the trace's object sizes; `nil` when no request had a size.
    var byteMissRatio: Double? {
        requestedBytes == 0 ? nil : Double(missedBytes) / Double(requestedBytes)
    }
}
