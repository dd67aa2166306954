/// What the hot tier asks of a cold tier while it holds a stripe's mutex.
///
/// Both calls run under the hot stripe's lock, so for any one key they happen in the
/// order the hot tier made its changes: a demotion and an invalidation of the same key
/// can never cross.
package protocol ColdStore: AnyObject {
    /// Offers an entry the policy evicted. Must not block on the disk: a store that
    /// cannot take it now drops it and counts that.
    ///
    /// - Parameters:
    ///   - frequency: The entry's access count at eviction (0...3), for admission.
    ///   - persisted: The entry was promoted from this store and never changed since, so
    ///     its record there may still be current.
    func demote(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        expiry: UInt64,
        hash: UInt64,
        frequency: UInt8,
        persisted: Bool
    )

    /// Stores an entry that stays in memory, so that it survives a restart (flush and close
    /// write the memory tier back this way). Waits for the writer rather than drop it.
    ///
    /// - Returns: Whether the entry was stored (false if the store is out of service).
    func persist(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, expiry: UInt64, hash: UInt64) -> Bool

    /// The key was overwritten or deleted in memory: its stored copy must never be read again.
    ///
    /// - Returns: Whether the store had a copy.
    @discardableResult
    func invalidate(key: UnsafeRawBufferPointer, hash: UInt64) -> Bool
}
