/// Walking the index for the entries it points to, for the operations that visit every
/// entry (invalidation, persisting, alignment) rather than look one up.
extension Stripe {
    /// An entry the index points to, as a walk of the index finds it.
    struct LiveEntry {
        /// The index slot pointing at the entry, and its value when the walk read it.
        var slotIndex: Int
        var slot: UInt64
        /// The entry's offset in the arena, and its address.
        var locator: UInt64
        var address: UnsafeMutableRawPointer
        var header: EntryLayout.Header
    }

    /// Calls `body` with every live entry of index slots `slots` (clamped to the table), in
    /// slot order, until it returns `false`. The caller holds the mutex; `body` may remove
    /// or move the entry it is given, but must not insert into the index.
    ///
    /// - Parameter mayVisit: Sees the hash bits a slot keeps (`Slot.hashBits`) and rules
    ///   entries out before their headers are read.
    /// - Returns: Whether the walk reached the end (`body` never returned `false`).
    /// - Complexity: O(slots) plus a header decode per entry visited.
    @discardableResult
    func forEachLiveEntry(
        inSlots slots: Range<Int>? = nil,
        whereHashBits mayVisit: (UInt64) -> Bool = { _ in true },
        _ body: (LiveEntry) -> Bool
    ) -> Bool {
        for index in (slots ?? 0..<capacity).clamped(to: 0..<capacity) {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            guard Slot.isOccupied(slot), mayVisit(Slot.hashBits(slot)) else { continue }
            let locator = Slot.locator(slot)
            let address = entryAddress(locator)
            guard let header = EntryLayout.readHeader(at: address, limit: bytesToSegmentEnd(locator)) else {
                assertionFailure("index slot points at a malformed entry (locator \(locator))")
                continue
            }
            let entry = LiveEntry(slotIndex: index, slot: slot, locator: locator, address: address, header: header)
            guard body(entry) else { return false }
        }
        return true
    }
}
