/// The stripe's invariants, verified after each change in builds with internal checks
/// (`-Xswiftc -DTROVE_INTERNAL_CHECKS`, as swift-collections' `COLLECTIONS_INTERNAL_CHECKS`);
/// in other builds `checkInvariants()` is empty.
extension Stripe {
    /// Tables up to this many slots are checked after every change, larger ones after every
    /// `largeTableCheckInterval`-th, so that a checked test suite stays linear in its work.
    static let fullyCheckedSlots = 4096
    static let largeTableCheckInterval = 1024

    /// Traps if the index, the queues, the segments' bookkeeping and the counters disagree.
    /// The caller holds the mutex.
    ///
    /// - Complexity: O(table slots + segments held) when it checks; O(1) otherwise.
    @inline(__always)
    func checkInvariants() {
        #if TROVE_INTERNAL_CHECKS
        changesSinceCheck += 1
        guard capacity <= Stripe.fullyCheckedSlots || changesSinceCheck >= Stripe.largeTableCheckInterval
        else { return }
        changesSinceCheck = 0
        verifyQueues()
        verifyIndex()
        #endif
    }

    #if TROVE_INTERNAL_CHECKS
    /// Each queue's chain of segments matches its counts, and the queues together hold the index's entries.
    private func verifyQueues() {
        var liveItems = 0
        for queue in queues.indices {
            var segments = 0
            var bytes = 0
            var items = 0
            var segment = queues[queue].tail
            while segment >= 0 {
                let info = metadata(segment).pointee
                precondition(
                    Int(info.queue) == queue,
                    "segment \(segment) is linked into queue \(queue) but says \(info.queue)"
                )
                precondition(Int(info.writeOffset) <= segmentSize, "segment \(segment) is written past its end")
                segments += 1
                bytes += Int(info.liveBytes)
                items += Int(info.liveItems)
                segment = segment == queues[queue].head ? -1 : info.next
            }
            precondition(
                segments == queues[queue].segments,
                "queue \(queue): \(segments) segments linked, \(queues[queue].segments) counted"
            )
            precondition(
                bytes == queues[queue].liveBytes,
                "queue \(queue): \(bytes) live bytes in segments, \(queues[queue].liveBytes) counted"
            )
            precondition(
                items == queues[queue].liveItems,
                "queue \(queue): \(items) live entries in segments, \(queues[queue].liveItems) counted"
            )
            liveItems += items
        }
        precondition(liveItems == occupied, "\(liveItems) live entries in the queues, \(occupied) in the index")
        precondition(
            Int(AtomicWords.loadRelaxed(header.items)) == occupied,
            "the items counter disagrees with the index"
        )
    }

    /// Every occupied slot points at a live entry whose key hashes to the slot's tag and is
    /// found from its home (no probe chain is broken), and the counts of slots are right.
    private func verifyIndex() {
        var occupiedSlots = 0
        var tombstoneSlots = 0
        for index in 0..<capacity {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            if slot == Slot.tombstone { tombstoneSlots += 1 }
            guard Slot.isOccupied(slot) else { continue }
            occupiedSlots += 1
            let locator = Slot.locator(slot)
            let address = entryAddress(locator)
            guard let entry = EntryLayout.readHeader(at: address, limit: bytesToSegmentEnd(locator)) else {
                preconditionFailure("slot \(index) points at a malformed entry")
            }
            precondition(!EntryLayout.isDead(at: address), "slot \(index) points at a dead entry")
            let hash = KeyHash.hash(entry.key(at: address))
            precondition(Slot.tag(ofHash: hash) == slot & Slot.tagMask, "slot \(index) has another key's tag")
            precondition(
                findSlot(hash: hash, locator: locator)?.index == index,
                "slot \(index) is not reachable from its home"
            )
        }
        precondition(occupiedSlots == occupied, "\(occupiedSlots) occupied slots, \(occupied) counted")
        precondition(tombstoneSlots == tombstones, "\(tombstoneSlots) tombstones, \(tombstones) counted")
    }
    #endif
}
