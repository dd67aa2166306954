/// Why an entry left the cache, as a removal listener is told; raw values are the C ABI's
/// `TROVE_REMOVED_*` codes.
package enum RemovalCause: Int32, Sendable, CaseIterable {
    /// The policy made room (and the entry did not go to the disk tier).
    case evicted = 1
    /// Its time to live passed (found by a reader or by eviction).
    case expired
    /// `delete` removed it.
    case deleted
    /// A put overwrote it.
    case replaced
    /// A prefix, pattern or clear invalidation removed it.
    case invalidated
    /// The policy moved it from memory to the disk tier.
    case demoted
    /// The disk tier gave up its record (a region evicted to make room).
    case droppedFromDisk
}
