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
            header.withWriteSection {
                removeSlot(at: index)
            }
            forgetEntry(at: locator, header: entry)
            removed += 1
        }
        return removed
    }

    /// Writes every entry not yet stored in the cold tier to it, and marks them stored.
    ///
    /// Expired entries are skipped. The caller holds the mutex.
    ///
    /// - Returns: Whether every entry was stored (false once the cold tier is out of service).
    func persistEntries(to coldStore: any ColdStore) -> Bool {
        let now = WallClock.nowMilliseconds()
        for index in 0..<capacity {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            guard Slot.isOccupied(slot) else { continue }
            let locator = Slot.locator(slot)
            let address = entryAddress(locator)
            guard let entry = EntryLayout.readHeader(at: address, limit: bytesToSegmentEnd(locator)),
                !entry.isPersisted, entry.expiry == 0 || entry.expiry > now
            else { continue }
            let key = UnsafeRawBufferPointer(start: address + entry.headerLength, count: entry.keyLength)
            let value = UnsafeRawBufferPointer(
                start: address + entry.headerLength + entry.keyLength,
                count: entry.valueLength
            )
            guard coldStore.persist(key: key, value: value, expiry: entry.expiry, hash: KeyHash.hash(key)) else {
                return false
            }
            EntryLayout.markPersisted(at: address)
        }
        return true
    }
}
