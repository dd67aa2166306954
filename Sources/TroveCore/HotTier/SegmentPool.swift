/// The arena's segments: who may take one, and the memory budget they are counted against.
///
/// The arena is one reserved mapping split into equal, power-of-two segments. A stripe
/// takes segments from here to write entries into and gives them back when eviction has
/// emptied them. The budget covers segments in use plus metadata (index tables, policy
/// ghosts and sketches), which is reserved before it is allocated, so growing metadata
/// leaves fewer segments to take, and segments in use plus metadata never exceed the
/// budget: the engine's resident memory stays within it whatever mix of entry sizes arrives.
///
/// Thread-safe: a small mutex guards the free list and the counters.
package final class SegmentPool {
    package let geometry: HotTierGeometry
    /// The arena: `segmentCount` segments of `segmentSize` bytes.
    package let arena: MappedMemory
    /// Per-segment bookkeeping, owned by whichever stripe holds the segment.
    package let metadata: UnsafeMutablePointer<SegmentMetadata>

    private let lockMemory: UnsafeMutableRawPointer
    /// Free segments whose pages may be resident, reused first, and never more than the
    /// budget leaves room for beside the segments in use.
    private var warm: [Int32] = []
    /// Free segments whose pages were given back to the OS (or never touched).
    private var cold: [Int32]
    private var inUse = 0
    private var metadataBytes = 0

    /// Reserves the arena and its bookkeeping.
    ///
    /// - Throws: `SystemError` when the address space for the arena cannot be mapped.
    package init(geometry: HotTierGeometry) throws(SystemError) {
        self.geometry = geometry
        arena = try MappedMemory(byteCount: geometry.segmentCount * geometry.segmentSize)
        metadata = .allocate(capacity: geometry.segmentCount)
        metadata.initialize(repeating: SegmentMetadata(), count: geometry.segmentCount)
        // Popping from the end hands segments out in address order, so a new cache fills memory front to back.
        cold = (0..<Int32(geometry.segmentCount)).reversed()
        warm.reserveCapacity(geometry.segmentCount)
        lockMemory = .allocate(byteCount: PThreadMutex.byteCount, alignment: 64)
        _ = PThreadMutex(initializingAt: lockMemory)
    }

    deinit {
        lock.destroy()
        lockMemory.deallocate()
        metadata.deinitialize(count: geometry.segmentCount)
        metadata.deallocate()
    }

    private var lock: PThreadMutex { PThreadMutex(existingAt: lockMemory) }

    /// Segments the budget allows now, given what metadata uses.
    private var allowed: Int {
        max((geometry.capacityBytes - metadataBytes) / geometry.segmentSize, 0)
    }

    /// Takes a free segment if the budget allows one more, resetting its bookkeeping.
    ///
    /// - Returns: The segment number, or `nil` when the budget is used up (the caller evicts).
    package func take() -> Int32? {
        lock.withLock {
            guard inUse < allowed, let segment = warm.popLast() ?? cold.popLast() else { return nil }
            inUse += 1
            metadata[Int(segment)] = SegmentMetadata()
            return segment
        }
    }

    /// Returns a segment nobody references any more.
    ///
    /// Its pages stay resident for the next `take` while the budget has room for them
    /// beside the segments in use; otherwise (metadata has grown into that room) they go
    /// back to the OS, so that resident memory follows the budget and not the arena's size.
    ///
    /// - Parameter discardingPages: Give the pages back to the OS in any case (on `removeAll`).
    package func give(_ segment: Int32, discardingPages: Bool = false) {
        lock.withLock {
            assert(inUse > 0)
            inUse -= 1
            if discardingPages || inUse + warm.count >= allowed {
                discard(segment)
            } else {
                warm.append(segment)
            }
        }
    }

    /// Counts `bytes` more bytes of metadata (index tables, policy state) against the
    /// budget if the segments in use leave room for them.
    ///
    /// - Returns: Whether the bytes were counted; if not, the caller frees segments and retries.
    package func reserveMetadata(_ bytes: Int) -> Bool {
        lock.withLock {
            guard inUse * geometry.segmentSize + metadataBytes + bytes <= geometry.capacityBytes else { return false }
            metadataBytes += bytes
            while inUse + warm.count > allowed, let segment = warm.popLast() {
                discard(segment)
            }
            return true
        }
    }

    /// Stops counting `bytes` of metadata that has been freed.
    package func releaseMetadata(_ bytes: Int) {
        lock.withLock { metadataBytes -= bytes }
    }

    /// Gives a free segment's pages back to the OS. The caller holds the lock.
    private func discard(_ segment: Int32) {
        arena.discard(offset: Int(segment) << geometry.segmentShift, count: geometry.segmentSize)
        cold.append(segment)
    }

    /// Bytes counted against the budget: segments in use and metadata.
    package var bytesInUse: Int {
        lock.withLock { inUse * geometry.segmentSize + metadataBytes }
    }

    /// Metadata bytes (index tables, policy state) counted against the budget.
    package var metadataBytesInUse: Int {
        lock.withLock { metadataBytes }
    }

    /// The address of a segment's first byte.
    @inlinable
    package func address(of segment: Int32) -> UnsafeMutableRawPointer {
        // Safe because the arena maps `segmentCount` segments for the pool's lifetime.
        assert(segment >= 0 && Int(segment) < geometry.segmentCount, "segment \(segment) out of range")
        return arena.base + (Int(segment) << geometry.segmentShift)
    }
}

/// What the engine knows about one segment while a stripe owns it.
package struct SegmentMetadata {
    /// The next newer segment in the same queue, or -1.
    package var next: Int32 = -1
    /// The queue the segment belongs to.
    package var queue: UInt8 = 0
    /// Bytes written so far; entries occupy `[0, writeOffset)` back to back.
    package var writeOffset: UInt32 = 0
    /// Bytes of entries the index still points to.
    package var liveBytes: UInt32 = 0
    /// Entries the index still points to.
    package var liveItems: UInt32 = 0
}
