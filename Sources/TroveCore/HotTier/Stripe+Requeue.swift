/// Moving entries to another queue outside the eviction walk, for a policy that reorders
/// its cache when it changes its mind about what the cache should hold.
extension Stripe {
    /// Moves the live entries of index slots `slots` (clamped to the table) that are not in
    /// `queue` already and that `shouldMove` picks by key hash to the head of `queue`,
    /// keeping their access state. The caller holds the mutex.
    ///
    /// `mayMove` sees the hash bits the slot keeps (`Slot.hashBits`) and must return true
    /// for every entry `shouldMove` might pick: it rules entries out before their keys are
    /// read and hashed. Readers see a moved entry as they see one the eviction walk keeps:
    /// through the same locator swap inside a write section.
    ///
    /// - Returns: `false` if an entry could not be moved because no free segment was left
    ///   (moving never evicts); the entries after it were not visited.
    /// - Complexity: O(slots visited), and a key hash per entry `mayMove` lets through.
    package func requeueEntries(
        inSlots slots: Range<Int>,
        toQueue queue: Int,
        whereHashBits mayMove: (UInt64) -> Bool,
        where shouldMove: (UInt64) -> Bool
    ) -> Bool {
        for index in slots.clamped(to: 0..<capacity) {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            guard Slot.isOccupied(slot), mayMove(Slot.hashBits(slot)) else { continue }
            let locator = Slot.locator(slot)
            guard Int(metadata(segment(of: locator)).pointee.queue) != queue else { continue }
            let address = entryAddress(locator)
            guard let entry = EntryLayout.readHeader(at: address, limit: bytesToSegmentEnd(locator)) else { continue }
            let hash = KeyHash.hash(UnsafeRawBufferPointer(start: address + entry.headerLength, count: entry.keyLength))
            guard shouldMove(hash) else { continue }
            let length = entry.totalLength
            guard let target = allocate(length: length, inQueue: queue, evicting: false) else { return false }
            SharedBytes.copy(from: address, to: entryAddress(target), count: length)
            header.beginWrite()
            // A reader may count a read meanwhile: swap only the locator, never its access state.
            var current = slot
            while !AtomicWords.compareExchange(current, Slot.replacingLocator(current, with: target), slotAddress(index)) {
                current = AtomicWords.loadRelaxed(slotAddress(index))
            }
            header.endWrite()
            EntryLayout.markDead(at: address)
            account(removing: locator, length: length)
            account(adding: target, length: length)
        }
        return true
    }
}
