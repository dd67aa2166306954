/// The arena's segments: who may take one, and the memory budget they are counted against.
///
/// The arena is one reserved mapping split into equal, power-of-two segments. A stripe
/// takes segments from here to write entries into and gives them back when eviction has
/// emptied them. The budget covers segments in use plus metadata (index tables, policy
/// ghosts and sketches), so growing metadata leaves fewer segments to take: the engine's
/// resident memory stays within the budget whatever mix of entry sizes arrives.
///
/// Thread-safe: a small mutex guards the free list and the counters.
package final class SegmentPool {
    package let geometry: HotTierGeometry
    /// The arena: `segmentCount` segments of `segmentSize` bytes.
    package let arena: MappedMemory
    /// Per-segment bookkeeping, owned by whichever stripe holds the segment.
    package let metadata: UnsafeMutablePointer<SegmentMetadata>

    private let lockMemory: UnsafeMutableRawPointer
    private var free: [Int32]
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
        free = (0..<Int32(geometry.segmentCount)).reversed()
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
            guard inUse < allowed, let segment = free.popLast() else { return nil }
            inUse += 1
            metadata[Int(segment)] = SegmentMetadata()
            return segment
        }
    }

    /// Returns a segment nobody references any more.
    ///
    /// - Parameter discardingPages: Give the pages back to the OS too (on `removeAll`), so resident memory shrinks.
    package func give(_ segment: Int32, discardingPages: Bool = false) {
        if discardingPages {
            arena.discard(offset: Int(segment) << geometry.segmentShift, count: geometry.segmentSize)
        }
        lock.withLock {
            assert(inUse > 0)
            inUse -= 1
            free.append(segment)
        }
    }

    /// Counts `delta` more (or fewer) bytes of metadata (index tables, policy state) against the budget.
    package func adjustMetadataBytes(by delta: Int) {
        lock.withLock { metadataBytes += delta }
    }

    /// How many segments must be given back to get within the budget (0 when within it).
    package var segmentsOverBudget: Int {
        lock.withLock { max(inUse - allowed, 0) }
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
        arena.base + (Int(segment) << geometry.segmentShift)
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
