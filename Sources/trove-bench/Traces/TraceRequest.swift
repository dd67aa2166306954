/// One request of a trace: which object was asked for, how big it is, and when.
///
/// The fields of libCacheSim's oracleGeneral record; a CSV trace fills `timestamp`, `objectID` and `size` and has no
/// next-access time.
struct TraceRequest: Equatable, Sendable {
    /// The request's time as the trace recorded it (seconds or a logical clock); replay does not use it.
    var timestamp: UInt64
    /// The object's identity; replay uses its 8 little-endian bytes as the cache key.
    var objectID: UInt64
    /// The object's size in bytes.
    var size: UInt32
    /// The 1-based request number of the next request to the same object, or -1 for none (or unknown, in CSV).
    var nextAccess: Int64

    /// Creates a request from its fields.
    init(timestamp: UInt64, objectID: UInt64, size: UInt32, nextAccess: Int64 = -1) {
        self.timestamp = timestamp
        self.objectID = objectID
        self.size = size
        self.nextAccess = nextAccess
    }
}
