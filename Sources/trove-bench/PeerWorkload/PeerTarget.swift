/// What the peer workload drives: one cache, shared by all worker threads.
///
/// The runner is generic over the target, so with a concrete target every call below is a direct call with no
/// allocation or reference counting in between; what the call itself costs is what the benchmark measures.
protocol PeerTarget: AnyObject, Sendable {
    /// Copies the value of `key` into `buffer`; returns true on a hit.
    ///
    /// - Parameters:
    ///   - key: the 16 key bytes; only valid during the call.
    ///   - buffer: exactly `value size` writable bytes; only valid during the call.
    func get(key: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Bool

    /// Inserts or overwrites `key` with `value`.
    ///
    /// - Parameters:
    ///   - key: the 16 key bytes; only valid during the call, so a target keeps a copy.
    ///   - value: the value bytes; only valid during the call, so a target keeps a copy.
    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    /// Entries resident now (used for mem_efficiency after the load).
    var residentCount: Int { get }
}
