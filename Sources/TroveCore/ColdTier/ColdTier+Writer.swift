#if canImport(Glibc)
import Glibc
#endif

/// The writer thread: writes sealed regions, serves flushes, keeps free regions in reserve.
///
/// One thread owns `writerQueue` and does every write, so the hot path never waits for
/// the disk. Region writes are pipelined: up to `maximumWritesInFlight` are in flight at
/// once, as sequential-write throughput on a real device needs several requests queued.
/// Evicting a region (zeroing its header on disk, then freeing it) rides the same queue.
/// A flush waits until nothing is in flight, writes the partly filled region and syncs,
/// so everything appended before it is durable when it returns.
extension ColdTier {
    /// Writes (and header erases) the writer keeps in flight at most.
    static let maximumWritesInFlight = 4

    /// What a completion tag says: a region write or a region erase, and which region.
    private enum WriteTag {
        static let eraseBit: UInt64 = 1 << 32

        static func write(_ region: Int) -> UInt64 { UInt64(region) }
        static func erase(_ region: Int) -> UInt64 { UInt64(region) | eraseBit }
    }

    /// The work the writer picked while holding `state`.
    private enum WriterTask {
        /// Start writing a sealed region (buffer, length).
        case write(region: Int, buffer: Int, length: Int)
        /// Start evicting a region: report what it drops (or, with `reporting` false, count
        /// those notifications as dropped), drop its index entries, then erase its header.
        case evict(region: Int, sequence: UInt64, removals: RemovalQueue?, reporting: Bool)
        /// Wait for in-flight writes to complete and process them.
        case reap
        case flush(ticket: UInt64, partial: (region: Int, buffer: Int, length: Int)?)
        case stop
    }

    func runWriter() {
        var inFlight = 0
        while true {
            switch nextTask(inFlight: inFlight) {
            case .write(let region, let buffer, let length):
                // Safe because a region's length never passes the region size, a multiple of 4 KiB.
                assert(ColdTier.blockAligned(length) <= geometry.regionSize)
                let bytes = UnsafeRawBufferPointer(start: bufferAddress(buffer), count: ColdTier.blockAligned(length))
                if let error = start(write: bytes, at: region, tag: WriteTag.write(region)) {
                    lockedState.withLock { fail(error, &$0) }
                } else {
                    inFlight += 1
                }
            case .evict(let region, let sequence, let removals, let reporting):
                let leaving = removals != nil && reporting ? entriesLeaving(region: region, sequence: sequence) : []
                let removed = index.removeAll(inRegion: region)
                if let removals {
                    if reporting { report(leaving, to: removals) } else { removals.countDropped(removed) }
                }
                // Safe because `zeroBlock` maps 4096 bytes.
                let zeros = UnsafeRawBufferPointer(start: zeroBlock.base, count: 4096)
                if let error = start(write: zeros, at: region, tag: WriteTag.erase(region)) {
                    lockedState.withLock { fail(error, &$0) }
                } else {
                    inFlight += 1
                }
            case .reap:
                inFlight -= reapWrites()
            case .flush(let ticket, let partial):
                var result: EngineError?
                if let partial {
                    // Safe because a region's length never passes the region size, a multiple of 4 KiB.
                    assert(ColdTier.blockAligned(partial.length) <= geometry.regionSize)
                    let bytes = UnsafeRawBufferPointer(
                        start: bufferAddress(partial.buffer),
                        count: ColdTier.blockAligned(partial.length)
                    )
                    result = perform("write of region \(partial.region)", expecting: bytes.count) {
                        queue throws(SystemError) in
                        try queue.queueWrite(
                            fd: file.descriptor,
                            offset: offset(of: partial.region),
                            from: bytes,
                            tag: 0
                        )
                    }
                }
                if result == nil {
                    result = perform("fdatasync", expecting: 0) { queue throws(SystemError) in
                        try queue.queueFsync(fd: file.descriptor, dataOnly: true, afterPrevious: true, tag: 0)
                    }
                }
                lockedState.withLock { state in
                    if let result { fail(result, &state) }
                    state.flushesCompleted = max(state.flushesCompleted, ticket)
                    lockedState.broadcast()
                }
            case .stop:
                return
            }
        }
    }

    /// Waits for and claims the next piece of work. In order: start sealed writes while
    /// there is room in flight; keep the free-region reserve; reap when the pipeline is
    /// full or there is nothing else; flush once nothing is in flight.
    private func nextTask(inFlight: Int) -> WriterTask {
        lockedState.withLockWaiting { state in
            pickTask(inFlight: inFlight, &state)
        }
    }

    /// One look for work; `nil` if there is none until something changes.
    private func pickTask(inFlight: Int, _ state: inout State) -> WriterTask? {
        if state.failure != nil {
            if inFlight > 0 { return .reap }
            state.flushesCompleted = state.flushesRequested
            lockedState.broadcast()
            return .stop
        }
        if state.stopping && state.current != nil {
            // Closing: the region being filled is written like any other, then one last sync.
            sealCurrent(&state)
        }
        while inFlight < ColdTier.maximumWritesInFlight, !state.sealed.isEmpty {
            let region = state.sealed.removeFirst()
            guard case .sealed(let buffer) = state.regions[region].phase else { continue }
            state.regions[region].phase = .writing(buffer: buffer)
            return .write(region: region, buffer: buffer, length: state.regions[region].length)
        }
        if inFlight < ColdTier.maximumWritesInFlight, !state.stopping,
            state.freeRegions.count + state.evictingCount < ColdTier.freeRegionReserve,
            state.durableHead < state.durable.count,
            state.regions[state.durable[state.durableHead]].sequence < state.oldestSequenceInMemory
        {
            let region = state.durable[state.durableHead]
            state.durableHead += 1
            if state.durableHead > 64 && state.durableHead * 2 > state.durable.count {
                state.durable.removeFirst(state.durableHead)
                state.durableHead = 0
            }
            state.regions[region].phase = .evicting
            let removals = state.removals?.isActive == true ? state.removals : nil
            // Reading the region back would slow a writer that is already behind (demotions
            // are dropped then): its notifications are dropped and counted instead.
            return .evict(
                region: region,
                sequence: state.regions[region].sequence,
                removals: removals,
                reporting: state.sealed.isEmpty
            )
        }
        if inFlight > 0 && (inFlight == ColdTier.maximumWritesInFlight || state.sealed.isEmpty) {
            return .reap
        }
        if inFlight == 0 && state.sealed.isEmpty {
            if state.flushesCompleted < state.flushesRequested {
                var partial: (region: Int, buffer: Int, length: Int)?
                if let region = state.current, let buffer = state.regions[region].buffer {
                    partial = (region, buffer, state.regions[region].length)
                }
                return .flush(ticket: state.flushesRequested, partial: partial)
            }
            if state.stopping {
                if !state.closingSynced {
                    state.closingSynced = true
                    state.flushesRequested += 1
                    return .flush(ticket: state.flushesRequested, partial: nil)
                }
                return .stop
            }
        }
        return nil
    }

    private func offset(of region: Int) -> Int64 {
        Int64(region) * Int64(geometry.regionSize)
    }

    /// Queues and submits a write without waiting for it.
    private func start(write bytes: UnsafeRawBufferPointer, at region: Int, tag: UInt64) -> EngineError? {
        do {
            try writerQueue.queueWrite(fd: file.descriptor, offset: offset(of: region), from: bytes, tag: tag)
            try writerQueue.submit()
            return nil
        } catch {
            return EngineError(error)
        }
    }

    /// Waits for at least one in-flight write and settles every completed one.
    ///
    /// - Returns: How many completed.
    private func reapWrites() -> Int {
        do {
            try writerQueue.wait(forCompletions: 1)
        } catch {
            lockedState.withLock { fail(EngineError(error), &$0) }
        }
        var completions: [IOCompletion] = []
        writerQueue.reapCompletions { completions.append($0) }
        lockedState.withLock { state in
            for completion in completions {
                let region = Int(completion.tag & 0xFFFF_FFFF)
                if completion.tag & WriteTag.eraseBit != 0 {
                    if let error = completion.error(operation: "erase of region \(region)") {
                        fail(EngineError(error), &state)
                    }
                    state.regions[region] = RegionState()
                    state.freeRegions.insert(region, at: 0)
                    counters.regionsEvicted.bump()
                    state.forgetInvalidationsOlderThanEveryRegion()
                } else {
                    guard case .writing(let buffer) = state.regions[region].phase else { continue }
                    let expected = ColdTier.blockAligned(state.regions[region].length)
                    if let error = completion.error(operation: "write of region \(region)") {
                        fail(EngineError(error), &state)
                    } else if Int(completion.result) != expected {
                        fail(
                            EngineError(
                                .ioError,
                                "write of region \(region) was short: \(completion.result) of \(expected) bytes"
                            ),
                            &state
                        )
                    } else {
                        state.regions[region].phase = .durable
                        state.insertDurable(region)
                        counters.regionsWritten.bump()
                        counters.bytesWritten.bump(UInt64(expected))
                    }
                    state.freeBuffers.append(buffer)
                }
            }
            lockedState.broadcast()
        }
        return completions.count
    }

    /// `length` rounded up to whole 4 KiB blocks, as `O_DIRECT` writes require.
    static func blockAligned(_ length: Int) -> Int {
        (length + 4095) / 4096 * 4096
    }

    /// Queues one operation when nothing else is in flight, waits for it, and checks its result.
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
}

/// The writer's view of the shared state: what it needs to pick and settle work.
extension ColdTier.State {
    /// The smallest sequence of a region still in memory (filling, sealed or being written).
    ///
    /// Eviction never passes it: regions go strictly oldest first, so a tombstone in a newer
    /// region always outlives the record it hides.
    fileprivate var oldestSequenceInMemory: UInt64 {
        regions.reduce(UInt64.max) { $1.buffer != nil ? min($0, $1.sequence) : $0 }
    }

    /// Regions whose eviction is under way.
    fileprivate var evictingCount: Int {
        regions.reduce(0) { $0 + ($1.phase == .evicting ? 1 : 0) }
    }

    /// Adds a region to the eviction order, which stays sorted by sequence although writes
    /// may complete out of order.
    fileprivate mutating func insertDurable(_ region: Int) {
        var position = durable.count
        while position > durableHead && regions[durable[position - 1]].sequence > regions[region].sequence {
            position -= 1
        }
        durable.insert(region, at: position)
    }

    /// Drops invalidations that no region still on disk predates.
    fileprivate mutating func forgetInvalidationsOlderThanEveryRegion() {
        guard !invalidations.isEmpty else { return }
        let oldest = durableHead < durable.count ? regions[durable[durableHead]].sequence : nextSequence
        invalidations.removeAll { $0.sequence < oldest }
    }
}
