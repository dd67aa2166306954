/// Removing every entry whose key matches a predicate, for prefix and pattern invalidation.
extension Stripe {
    /// Removes the entries whose keys satisfy `matches`. The caller holds the mutex.
    ///
    /// - Returns: How many entries were removed.
    /// - Complexity: O(table slots) plus one key comparison per entry.
    func removeAll(where matches: (UnsafeRawBufferPointer) -> Bool) -> Int {
        var removed = 0
        for index in 0..<capacity {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            guard Slot.isOccupied(slot) else { continue }
            let locator = Slot.locator(slot)
            let address = entryAddress(locator)
            guard let entry = EntryLayout.readHeader(at: address, limit: bytesToSegmentEnd(locator)) else { continue }
            guard matches(UnsafeRawBufferPointer(start: address + entry.headerLength, count: entry.keyLength)) else {
                continue
            }
            header.beginWrite()
            removeSlot(at: index)
            header.endWrite()
            forgetEntry(at: locator, header: entry)
            removed += 1
        }
        return removed
    }
}
