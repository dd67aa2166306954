/// A whole trace in memory, as replay needs it: object ids and sizes, in request order.
///
/// Loading once and replaying from memory lets one trace be replayed by many policies and sizes without reading or
/// decompressing it again, and keeps file reading out of the measured replay loop. Costs 12 bytes per request plus a
/// set of the distinct ids while loading.
struct LoadedTrace: Sendable {
    /// The trace's short name (see `TraceFormat.traceName`).
    var name: String
    /// The object id of each request.
    var objectIDs: [UInt64]
    /// The object size of each request, in bytes.
    var sizes: [UInt32]
    /// How many different object ids the trace asks for.
    var distinctObjects: Int

    /// Builds a trace from requests (for tests and small traces).
    init(name: String, requests: [TraceRequest]) {
        self.name = name
        objectIDs = requests.map(\.objectID)
        sizes = requests.map(\.size)
        distinctObjects = Set(objectIDs).count
    }

    /// Reads every request of `reader`.
    ///
    /// - Parameters:
    ///   - reader: The trace, from its first request.
    ///   - name: The name to report.
    ///   - progress: Called every 2^20 requests with the count read so far.
    /// - Throws: The reader's `TraceError`.
    /// - Complexity: O(requests) time; 12 bytes per request and 8-16 per distinct object of memory.
    init(reading reader: any TraceReader, name: String, progress: (Int) -> Void = { _ in }) throws(TraceError) {
        var objectIDs: [UInt64] = []
        var sizes: [UInt32] = []
        var distinct = Set<UInt64>()
        while let request = try reader.next() {
            objectIDs.append(request.objectID)
            sizes.append(request.size)
            distinct.insert(request.objectID)
            if objectIDs.count & 0xF_FFFF == 0 { progress(objectIDs.count) }
        }
        self.name = name
        self.objectIDs = objectIDs
        self.sizes = sizes
        distinctObjects = distinct.count
    }

    /// Number of requests.
    var count: Int { objectIDs.count }
}
