/// Where a stripe's entries get their bytes: the head segment of a queue, new segments
/// from the pool, and segments won back by evicting.
extension Stripe {
    /// Room for an entry of `length` bytes at the head of `queue`.
    ///
    /// - Parameters:
    ///   - evicting: Whether the policy may evict to make room (true for inserts). Moves made
    ///     during eviction pass false, so eviction never recurses into itself.
    /// - Returns: The arena offset of the room, or `nil` if no memory could be found.
    func allocate(length: Int, inQueue queue: Int, evicting: Bool) -> UInt64? {
        assert(length <= segmentSize)
        let head = queues[queue].head
        if head >= 0 {
            let offset = Int(metadata(head).pointee.writeOffset)
            if offset + length <= segmentSize {
                metadata(head).pointee.writeOffset = UInt32(offset + length)
                return UInt64(Int(head) << segmentShift + offset)
            }
        }
        guard let segment = obtainSegment(evicting: evicting) else { return nil }
        // Evicting may have moved entries into this queue or dropped its head: link after whatever is the head now.
        let currentHead = queues[queue].head
        let info = metadata(segment)
        info.pointee = SegmentMetadata()
        info.pointee.queue = UInt8(queue)
        info.pointee.writeOffset = UInt32(length)
        if currentHead >= 0 {
            metadata(currentHead).pointee.next = segment
        } else {
            queues[queue].tail = segment
            queues[queue].cursor = 0
        }
        queues[queue].head = segment
        queues[queue].segments += 1
        return UInt64(Int(segment) << segmentShift)
    }

    /// A free segment: the stripe's spare, one from the pool, one won back by compaction, or
    /// one won back by eviction.
    private func obtainSegment(evicting: Bool) -> Int32? {
        if let segment = takeSpare() { return segment }
        if let segment = pool.take() { return segment }
        guard evicting else { return nil }
        if compactOneSegment(), let segment = takeSpare() { return segment }
        while evictOne() {
            if let segment = takeSpare() { return segment }
        }
        return pool.take()
    }

    func takeSpare() -> Int32? {
        guard spare >= 0 else { return nil }
        defer { spare = -1 }
        return spare
    }

    /// Hands back a segment eviction has emptied: to the spare slot, or to the pool when the spare is taken.
    func release(_ segment: Int32) {
        if spare < 0 {
            spare = segment
        } else {
            pool.give(segment)
        }
    }

    /// Counts `bytes` more of this stripe's metadata against the budget, giving back the
    /// stripe's own segments (evicting their entries) until the budget has room for them.
    ///
    /// - Returns: `false` if the stripe ran out of segments to give first (nothing is counted).
    func reserveMetadata(_ bytes: Int) -> Bool {
        while !pool.reserveMetadata(bytes) {
            guard releaseOneSegment() else { return false }
        }
        return true
    }

    /// Compacts, or else evicts, until one whole segment has gone back to the pool.
    ///
    /// Used to lend memory to another stripe that has none left to evict.
    ///
    /// - Returns: `false` if this stripe has nothing left to evict.
    @discardableResult
    package func releaseOneSegment() -> Bool {
        if spare >= 0 || compactOneSegment(), let segment = takeSpare() {
            pool.give(segment)
            return true
        }
        while evictOne() {
            if let segment = takeSpare() {
                pool.give(segment)
                return true
            }
        }
        return false
    }

    /// Segments this stripe holds, in all its queues.
    package var segmentsHeld: Int {
        queues.reduce(spare >= 0 ? 1 : 0) { $0 + $1.segments }
    }
}
