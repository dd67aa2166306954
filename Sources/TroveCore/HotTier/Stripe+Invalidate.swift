/// Removing every entry whose key matches a predicate, for prefix and pattern invalidation.
extension Stripe {
    /// Removes the entries whose keys satisfy `matches`. The caller holds the mutex.
    ///
    /// - Returns: How many entries were removed.
    /// - Complexity: O(table slots) plus one key comparison per entry.
    func removeAll(where matches: (UnsafeRawBufferPointer) -> Bool) -> Int {
        var removed = 0
        forEachLiveEntry { entry in
            guard matches(entry.header.key(at: entry.address)) else { return true }
            noteRemoval(of: entry.header.key(at: entry.address), .invalidated)
            header.withWriteSection {
                removeSlot(at: entry.slotIndex)
            }
            forgetEntry(at: entry.locator, header: entry.header)
            removed += 1
            return true
        }
        return removed
    }
}
