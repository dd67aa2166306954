/// The walk policies drive: the next live entry at a queue's tail, and what to do with it.
///
/// A policy calls `nextCandidate(inQueue:)` and must then call exactly one of `evict` or
/// `keep` on that candidate before asking for the next. Entries the index no longer points
/// to (overwritten, deleted) are skipped; a segment the walk has passed goes back for reuse.
extension Stripe {
    /// The oldest live entry of `queue`, or `nil` if the walk has reached the queue's head.
    package func nextCandidate(inQueue queue: Int) -> EvictionCandidate? {
        var now: UInt64 = 0
        while true {
            let segment = queues[queue].tail
            guard segment >= 0 else { return nil }
            let info = metadata(segment)
            let end = Int(info.pointee.writeOffset)
            let cursor = queues[queue].cursor
            if cursor >= end {
                guard segment != queues[queue].head else {
                    if info.pointee.liveItems == 0 { dropDrainedHead(ofQueue: queue) }
                    return nil
                }
                queues[queue].tail = info.pointee.next
                queues[queue].cursor = 0
                queues[queue].segments -= 1
                release(segment)
                continue
            }
            let locator = UInt64(Int(segment) << segmentShift + cursor)
            let address = entryAddress(locator)
            guard let entry = EntryLayout.readHeader(at: address, limit: end - cursor, includingDead: true) else {
                preconditionFailure("malformed entry in segment \(segment) at offset \(cursor)")
            }
            if EntryLayout.isDead(at: address) {
                queues[queue].cursor = cursor + entry.totalLength
                continue
            }
            let hash = KeyHash.hash(entry.key(at: address))
            guard let (slotIndex, slot) = findSlot(hash: hash, locator: locator) else {
                queues[queue].cursor = cursor + entry.totalLength
                continue
            }
            var expired = false
            if entry.expiry != 0 {
                if now == 0 { now = WallClock.nowMilliseconds() }
                expired = entry.expiry <= now
            }
            return EvictionCandidate(
                queue: queue,
                segment: segment,
                locator: locator,
                slotIndex: slotIndex,
                slot: slot,
                hash: hash,
                header: entry,
                isExpired: expired
            )
        }
    }

    /// A queue whose only segment has been walked to the end and holds nothing live: give the segment back.
    private func dropDrainedHead(ofQueue queue: Int) {
        let segment = queues[queue].head
        queues[queue] = SegmentQueue()
        release(segment)
    }

    /// Removes the candidate from the cache, offering it to the cold tier unless it expired.
    package func evict(_ candidate: EvictionCandidate) {
        let address = entryAddress(candidate.locator)
        var cause = candidate.isExpired ? RemovalCause.expired : .evicted
        if !candidate.isExpired, let coldStore, policy.admitsToColdTier(candidate, in: self) {
            cause = .demoted
            coldStore.demote(
                key: candidate.header.key(at: address),
                value: candidate.header.value(at: address),
                expiry: candidate.header.expiry,
                hash: candidate.hash,
                frequency: AccessState.frequency(candidate.access),
                persisted: candidate.header.isPersisted
            )
        }
        noteRemoval(of: candidate.header.key(at: address), cause)
        header.withWriteSection {
            removeSlot(at: candidate.slotIndex)
        }
        forgetEntry(at: candidate.locator, header: candidate.header)
        AtomicWords.add(1, candidate.isExpired ? header.expirations : header.evictions)
        queues[candidate.queue].cursor += candidate.header.totalLength
    }

    /// Moves the candidate to the head of `queue` with a new access state.
    ///
    /// - Returns: `false` if there was no free memory to move it into; the caller then evicts it.
    package func keep(_ candidate: EvictionCandidate, inQueue queue: Int, access: UInt8) -> Bool {
        let length = candidate.header.totalLength
        let moved = move(candidate.locator, length: length, slotIndex: candidate.slotIndex, toQueue: queue) { slot in
            Slot.replacingAccess(slot, with: access)
        }
        guard moved else { return false }
        AtomicWords.add(1, header.reinsertions)
        queues[candidate.queue].cursor += length
        return true
    }
}
