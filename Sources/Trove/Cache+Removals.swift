import TroveCore

extension Cache {
    /// Why an entry left the cache, as a removal listener is told.
    public enum RemovalCause: Int32, Sendable, CaseIterable {
        /// The policy made room (and the entry did not go to the disk tier).
        case evicted = 1
        /// Its time to live passed.
        case expired
        /// `delete` removed it.
        case deleted
        /// A put overwrote it.
        case replaced
        /// A prefix, pattern or `removeAll` invalidation removed it.
        case invalidated
        /// The policy moved it from memory to the disk tier.
        case demoted
        /// The disk tier gave up its record: its region was evicted to make room. To find
        /// these, the disk tier reads each region back before evicting it while a listener is set.
        case droppedFromDisk
    }

    /// Sets the closure told the key of every entry that leaves the cache, and why; `nil`
    /// removes it (notifications still queued are then dropped).
    ///
    /// The closure runs on a thread of the cache's own, never with a cache lock held, so it
    /// may use the cache (but not close it). Notifications arrive one at a time, in the
    /// order the cache queued them, at most once. When 4,096 are waiting, more are dropped
    /// and counted (`CacheStatistics.removalsDropped`): a put or an eviction never waits for
    /// the listener. `close` delivers what is queued before it returns.
    ///
    /// - Parameter listener: Receives the key's bytes and the cause.
    /// - Throws: `TroveError` with `.closed`, or `.outOfMemory` if the delivery thread cannot start.
    /// - Complexity: While a listener is set, each removal copies its key once.
    public func setRemovalListener(
        _ listener: (@Sendable (_ key: [UInt8], _ cause: RemovalCause) -> Void)?
    )
        throws(TroveError)
    {
        let status: TroveStatus
        if let listener {
            status = engine.setRemovalListener { key, cause in
                listener(Array(key), RemovalCause(rawValue: cause.rawValue) ?? .evicted)
            }
        } else {
            status = engine.setRemovalListener(nil)
        }
        guard status == .ok else { throw TroveError(status: status) }
    }
}
