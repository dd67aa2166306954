/// Moving a live entry to the head of a queue: the eviction walk's keep, and alignment's requeue.
extension Stripe {
    /// Copies the entry at `locator` (`length` bytes, indexed at `slotIndex`) to the head of
    /// `queue` and points its slot there, with `update` applied to the rest of the slot.
    ///
    /// - Returns: `false` if there was no free memory to move it into (moving never evicts).
    func move(
        _ locator: UInt64,
        length: Int,
        slotIndex: Int,
        toQueue queue: Int,
        update: (UInt64) -> UInt64
    ) -> Bool {
        guard let target = allocate(length: length, inQueue: queue, evicting: false) else { return false }
        SharedBytes.copy(from: entryAddress(locator), to: entryAddress(target), count: length)
        header.withWriteSection {
            // A reader may count a read meanwhile: retry until the swap sees the slot it read.
            var current = AtomicWords.loadRelaxed(slotAddress(slotIndex))
            while !AtomicWords.compareExchange(
                current,
                update(Slot.replacingLocator(current, with: target)),
                slotAddress(slotIndex)
            ) {
                current = AtomicWords.loadRelaxed(slotAddress(slotIndex))
            }
        }
        EntryLayout.markDead(at: entryAddress(locator))
        account(removing: locator, length: length)
        account(adding: target, length: length)
        return true
    }
}
