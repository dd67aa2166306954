#if canImport(Glibc)
import Glibc
#endif

/// The writer thread: writes sealed regions, serves flushes, keeps free regions in reserve.
///
/// One thread owns `writerQueue` and does every write, so writes of a region never
/// overlap and the hot path never waits for the disk. It sleeps on `state` until there
/// is a sealed region, a flush request, a shortage of free regions, or a stop.
extension ColdTier {
    /// The work the writer picked while holding `state`.
    private enum WriterTask {
        case write(region: Int, buffer: Int, length: Int)
        case flush(ticket: UInt64, partial: (region: Int, buffer: Int, length: Int)?)
        case evict(region: Int)
        case stop
    }

    func runWriter() {
        while true {
            switch nextTask() {
            case .write(let region, let buffer, let length):
                let result = write(region: region, buffer: buffer, length: length)
                state.withLock {
                    if let error = result {
                        fail(error)
                    } else {
                        regions[region].phase = .durable
                        durable.append(region)
                        counters.regionsWritten.bump()
                        counters.bytesWritten.bump(UInt64(ColdTier.blockAligned(length)))
                    }
                    freeBuffers.append(buffer)
                    state.broadcast()
                }
            case .flush(let ticket, let partial):
                var result: EngineError?
                if let partial {
                    result = write(region: partial.region, buffer: partial.buffer, length: partial.length)
                }
                if result == nil {
                    result = sync()
                }
                state.withLock {
                    if let result { fail(result) }
                    flushesCompleted = max(flushesCompleted, ticket)
                    state.broadcast()
                }
            case .evict(let region):
                let result = eraseHeader(of: region)
                index.removeAll(inRegion: region)
                state.withLock {
                    if let result { fail(result) }
                    regions[region] = RegionState()
                    freeRegions.insert(region, at: 0)
                    counters.regionsEvicted.bump()
                    forgetInvalidationsOlderThanEveryRegion()
                    state.broadcast()
                }
            case .stop:
                return
            }
        }
    }

    /// Waits for and claims the next piece of work, in priority order: sealed regions,
    /// then flushes (so a flush covers everything sealed before it), then free regions.
    private func nextTask() -> WriterTask {
        state.lock()
        defer { state.unlock() }
        while true {
            if failure == nil, !sealed.isEmpty {
                let region = sealed.removeFirst()
                guard case .sealed(let buffer) = regions[region].phase else { continue }
                regions[region].phase = .writing(buffer: buffer)
                return .write(region: region, buffer: buffer, length: regions[region].length)
            }
            if stopping && failure == nil {
                // Closing: the region being filled is written like any other, then one last sync.
                if current != nil {
                    sealCurrent()
                    continue
                }
                if !closingSynced {
                    closingSynced = true
                    flushesRequested += 1
                    return .flush(ticket: flushesRequested, partial: nil)
                }
            }
            if failure == nil, flushesCompleted < flushesRequested {
                var partial: (region: Int, buffer: Int, length: Int)?
                if let region = current, let buffer = regions[region].buffer {
                    partial = (region, buffer, regions[region].length)
                }
                return .flush(ticket: flushesRequested, partial: partial)
            }
            if stopping || failure != nil {
                return .stop
            }
            if freeRegions.count < ColdTier.freeRegionReserve, durableHead < durable.count {
                let region = durable[durableHead]
                durableHead += 1
                if durableHead > 64 && durableHead * 2 > durable.count {
                    durable.removeFirst(durableHead)
                    durableHead = 0
                }
                regions[region].phase = .evicting
                return .evict(region: region)
            }
            state.wait()
        }
    }

    /// `length` rounded up to whole 4 KiB blocks, as `O_DIRECT` writes require.
    static func blockAligned(_ length: Int) -> Int {
        (length + 4095) / 4096 * 4096
    }

    /// Writes the first `length` bytes of `buffer` to `region`'s place in the file.
    private func write(region: Int, buffer: Int, length: Int) -> EngineError? {
        let bytes = UnsafeRawBufferPointer(start: bufferAddress(buffer), count: ColdTier.blockAligned(length))
        return perform("write of region \(region)", expecting: bytes.count) { queue throws(SystemError) in
            try queue.queueWrite(fd: file.descriptor, offset: Int64(region) * Int64(geometry.regionSize), from: bytes, tag: 0)
        }
    }

    /// Makes written regions durable (`fdatasync`).
    private func sync() -> EngineError? {
        perform("fdatasync", expecting: 0) { queue throws(SystemError) in
            try queue.queueFsync(fd: file.descriptor, dataOnly: true, afterPrevious: true, tag: 0)
        }
    }

    /// Zeroes a region's first block before it is reused, so a scan after a crash cannot
    /// take the old records for live ones.
    private func eraseHeader(of region: Int) -> EngineError? {
        let zeros = UnsafeRawBufferPointer(start: zeroBlock.base, count: 4096)
        return perform("erase of region \(region)", expecting: 4096) { queue throws(SystemError) in
            try queue.queueWrite(fd: file.descriptor, offset: Int64(region) * Int64(geometry.regionSize), from: zeros, tag: 0)
        }
    }

    /// Queues one operation on the writer's queue, waits for it, and checks its result.
    private func perform(
        _ operation: String,
        expecting expected: Int,
        _ queue: (any IOQueue) throws(SystemError) -> Void
    ) -> EngineError? {
        do {
            try queue(writerQueue)
            try writerQueue.wait(forCompletions: 1)
            var failure: SystemError?
            writerQueue.reapCompletions { completion in
                if let error = completion.error(operation: operation) {
                    failure = error
                } else if completion.result != expected && expected > 0 {
                    failure = SystemError("\(operation) (short: \(completion.result) of \(expected) bytes)", errno: EIO)
                }
            }
            return failure.map(EngineError.init)
        } catch {
            return EngineError(error)
        }
    }

    /// Drops invalidations that no region still on disk predates. Caller holds `state`.
    private func forgetInvalidationsOlderThanEveryRegion() {
        guard !invalidations.isEmpty else { return }
        let oldest = durableHead < durable.count ? regions[durable[durableHead]].sequence : nextSequence
        invalidations.removeAll { $0.sequence < oldest }
    }
}
