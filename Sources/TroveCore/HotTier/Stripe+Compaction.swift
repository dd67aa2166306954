/// Winning memory back from overwritten and deleted entries without evicting live ones.
///
/// Entries are never overwritten in place when their length changes, so a segment can be
/// mostly dead while its queue still holds it. When a stripe needs a segment, it first
/// looks for two neighbouring segments of one queue whose live bytes fit in one, and packs
/// the live entries of both into the older one, in their order: the queue then walks the
/// same entries in the same order, so no policy sees a difference, and a working set that
/// fits in memory is never evicted for the garbage around it.
extension Stripe {
    /// Neighbouring pairs looked at per queue, so that a full stripe with nothing to win
    /// pays a bounded walk of segment bookkeeping before it evicts.
    static let compactionPairsExamined = 8

    /// Frees one segment (to the spare) by packing two neighbours of a queue into one.
    ///
    /// - Returns: Whether a segment was freed.
    /// - Complexity: O(segment size) bytes copied, with readers of the stripe retrying meanwhile.
    func compactOneSegment() -> Bool {
        for queue in queues.indices {
            if let (older, newer) = compactablePair(inQueue: queue) {
                pack(older, newer, inQueue: queue)
                return true
            }
        }
        return false
    }

    /// Two neighbouring segments of `queue` whose live bytes together fit in one segment. The
    /// newer may be the head: the older then becomes the head, and writes go on after what it holds.
    private func compactablePair(inQueue queue: Int) -> (Int32, Int32)? {
        var older = queues[queue].tail
        for _ in 0..<Stripe.compactionPairsExamined {
            guard older >= 0, older != queues[queue].head else { return nil }
            let newer = metadata(older).pointee.next
            guard newer >= 0 else { return nil }
            if Int(metadata(older).pointee.liveBytes) + Int(metadata(newer).pointee.liveBytes) <= segmentSize {
                return (older, newer)
            }
            older = newer
        }
        return nil
    }

    /// Moves the live entries of `older` (from the walk's cursor if it is the tail) and then
    /// of `newer` to the start of `older`, repoints their slots, and gives `newer` back.
    private func pack(_ older: Int32, _ newer: Int32, inQueue queue: Int) {
        let isTail = older == queues[queue].tail
        let base = Int(older) << segmentShift
        var written = 0
        var items: UInt32 = 0
        header.withWriteSection {
            for (segment, start) in [(older, isTail ? queues[queue].cursor : 0), (newer, 0)] {
                let end = Int(metadata(segment).pointee.writeOffset)
                var offset = start
                while offset < end {
                    let locator = UInt64(Int(segment) << segmentShift + offset)
                    let address = entryAddress(locator)
                    guard let entry = EntryLayout.readHeader(at: address, limit: end - offset, includingDead: true)
                    else {
                        preconditionFailure("malformed entry in segment \(segment) at offset \(offset)")
                    }
                    offset += entry.totalLength
                    guard !EntryLayout.isDead(at: address) else { continue }
                    let hash = KeyHash.hash(
                        entry.key(at: address)
                    )
                    guard let (slotIndex, _) = findSlot(hash: hash, locator: locator) else { continue }
                    let target = UInt64(base + written)
                    if target != locator {
                        // Inside `older`, entries only move towards its start: what they overwrite
                        // was dead or has already been moved.
                        assert(segment != older || target < locator)
                        SharedBytes.move(from: address, to: entryAddress(target), count: entry.totalLength)
                        var current = AtomicWords.loadRelaxed(slotAddress(slotIndex))
                        while !AtomicWords.compareExchange(
                            current,
                            Slot.replacingLocator(current, with: target),
                            slotAddress(slotIndex)
                        ) {
                            current = AtomicWords.loadRelaxed(slotAddress(slotIndex))
                        }
                    }
                    written += entry.totalLength
                    items += 1
                }
            }
        }
        let movedBytes = UInt32(written)
        let info = metadata(older)
        let lost = Int(info.pointee.liveBytes) + Int(metadata(newer).pointee.liveBytes) - written
        let lostItems = Int(info.pointee.liveItems) + Int(metadata(newer).pointee.liveItems) - Int(items)
        queues[queue].liveBytes -= lost
        queues[queue].liveItems -= lostItems
        info.pointee.writeOffset = movedBytes
        info.pointee.liveBytes = movedBytes
        info.pointee.liveItems = items
        info.pointee.next = metadata(newer).pointee.next
        if newer == queues[queue].head { queues[queue].head = older }
        if isTail { queues[queue].cursor = 0 }
        queues[queue].segments -= 1
        release(newer)
    }
}
