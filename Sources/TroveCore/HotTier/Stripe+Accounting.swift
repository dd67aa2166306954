/// The live-byte and live-entry counts of segments, queues and the stripe, kept as entries come and go.
extension Stripe {
    /// Bookkeeping for an entry that left the index: its segment, queue and the stripe's totals.
    func forgetEntry(at locator: UInt64, header entry: EntryLayout.Header) {
        EntryLayout.markDead(at: entryAddress(locator))
        account(removing: locator, length: entry.totalLength)
        AtomicWords.subtract(1, header.items)
        AtomicWords.subtract(UInt64(entry.keyLength + entry.valueLength), header.payloadBytes)
    }

    func account(adding locator: UInt64, length: Int) {
        let info = metadata(segment(of: locator))
        info.pointee.liveBytes += UInt32(length)
        info.pointee.liveItems += 1
        let queue = Int(info.pointee.queue)
        queues[queue].liveBytes += length
        queues[queue].liveItems += 1
    }

    func account(removing locator: UInt64, length: Int) {
        let info = metadata(segment(of: locator))
        info.pointee.liveBytes -= UInt32(length)
        info.pointee.liveItems -= 1
        let queue = Int(info.pointee.queue)
        queues[queue].liveBytes -= length
        queues[queue].liveItems -= 1
    }
}
