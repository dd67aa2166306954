#if canImport(Glibc)
import Glibc
#endif

/// The disk tier: entries evicted from memory, appended to fixed-size regions of one
/// preallocated file and found again through a DRAM index.
///
/// Writes are asynchronous: `demote` appends a record to an in-memory, region-sized
/// write buffer and returns; a writer thread writes full buffers with one `O_DIRECT`
/// write each and keeps a couple of regions free by evicting the oldest (FIFO).
/// Reads go through a pool of io_uring queues, or copy from a buffer not yet written.
/// Every record is checksummed; anything that fails a check is a miss, never data.
///
/// Failures of the disk (a write or read error, no space) take the tier out of service:
/// it answers every read with a miss, drops demotions, reports the failure in its
/// statistics, and the memory tier keeps serving.
///
/// Lock order: a hot stripe's mutex, then `lockedState`, then an index stripe's mutex;
/// `lockedState` is never held during I/O.
package final class ColdTier: ColdStore, @unchecked Sendable {
    package let directory: String
    package let geometry: ColdTierGeometry
    let options: ColdTierOptions
    let index: ColdIndex
    let file: RegionFile
    /// Held from open to close, so no other cache writes this directory meanwhile.
    private var directoryLock: DirectoryLock?
    /// `writeBuffers` region-sized, page-aligned buffers back to back.
    let buffers: MappedMemory
    let readers: ColdReaderPool
    let writerQueue: any IOQueue
    let compressors: CompressorPool
    let counters = ColdCounters()
    /// Holds off promotions of what a bulk removal is removing (`PromotionFence`).
    let promotionFence = PromotionFence()
    /// A block of zeros the writer writes over an evicted region's header.
    let zeroBlock: MappedMemory

    /// The state the writer, appenders and readers share; its condition wakes the writer and
    /// anyone waiting for it.
    let lockedState: ConditionLockedValue<State>

    private(set) var recoveredItems: UInt64 = 0
    private(set) var recoveryMilliseconds: UInt64 = 0
    private(set) var recoveredFromCheckpoint = false

    /// Free regions the writer keeps in reserve, so an appender rarely finds none.
    static let freeRegionReserve = 2

    /// Opens (or creates) the cold tier in `options.directory`, rebuilding its index.
    ///
    /// - Throws: `EngineError` with `.badFormat` if the directory holds another format or
    ///   geometry, `.invalidArgument` for a bad option or a directory already in use,
    ///   `.noSpace` if the region file cannot be allocated, `.ioError` for other failures.
    package init(options: ColdTierOptions) throws(EngineError) {
        self.options = options
        directory = options.directory
        let wanted = try ColdTierGeometry(diskCapacityBytes: options.diskCapacityBytes)
        try ColdTier.makeDirectory(options.directory)
        directoryLock = try DirectoryLock(directory: options.directory)
        var manifest: ColdManifest
        if let existing = try ColdManifest.read(from: options.directory) {
            guard existing.geometry == wanted else {
                throw EngineError(
                    .badFormat,
                    "\(options.directory) holds a cold tier of \(existing.geometry.regionCount) regions of "
                        + "\(existing.geometry.regionSize) bytes (disk_capacity_bytes \(existing.geometry.capacityBytes)); "
                        + "open it with that disk_capacity_bytes or use another directory"
                )
            }
            manifest = existing
        } else {
            manifest = ColdManifest(geometry: wanted, epoch: 1)
        }
        geometry = manifest.geometry
        file = try ColdTier.openRegionFile(directory: options.directory, geometry: geometry)
        try manifest.write(to: options.directory)
        do {
            index = try ColdIndex()
            buffers = try MappedMemory(byteCount: options.writeBuffers * geometry.regionSize)
            writerQueue = try options.ioQueues.make(4)
            zeroBlock = try MappedMemory(byteCount: 4096)
        } catch {
            throw EngineError(error)
        }
        readers = try ColdReaderPool(count: options.readers, depth: options.readDepth, queues: options.ioQueues)
        compressors = try CompressorPool(count: options.readers, level: options.compressionLevel)
        lockedState = ConditionLockedValue(
            State(regionCount: geometry.regionCount, writeBuffers: options.writeBuffers, epoch: manifest.epoch)
        )
        // A duration: on the wall clock, a step back (NTP, or a test putting its clock back)
        // made the subtraction underflow and trap.
        let started = MonotonicClock.nanoseconds()
        let recovery = try recover()
        recoveredItems = UInt64(recovery.items)
        recoveredFromCheckpoint = recovery.fromCheckpoint
        recoveryMilliseconds = (MonotonicClock.nanoseconds() - started) / 1_000_000
        try startWriter()
    }

    /// Joins a writer that stopped by itself on a disk failure. A running writer holds the
    /// tier, so a tier is released unclosed only then: its owner must call `close`, which the
    /// engine does in its own `close` and `deinit`.
    deinit {
        _ = close()
    }

    /// Creates the directory (the owner's only, 0700) unless it exists; refuses one that other
    /// users may write, where they could replace the cache's files or plant links among them.
    private static func makeDirectory(_ path: String) throws(EngineError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw EngineError(SystemError("mkdir(\(path))", errno: errno))
        }
        var status = stat()
        guard stat(path, &status) == 0 else { throw EngineError(SystemError("stat(\(path))", errno: errno)) }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw EngineError(.invalidArgument, "\(path) is not a directory; give the disk tier a directory")
        }
        guard status.st_mode & S_IWOTH == 0 else {
            let mode = String(status.st_mode & 0o7777, radix: 8)
            throw EngineError(
                .invalidArgument,
                "\(path) is writable by every user (mode \(mode)), who could replace the cache's files; "
                    + "run chmod o-w on it or use another directory"
            )
        }
    }

    /// Opens the region file, creating and preallocating it for a new tier.
    ///
    /// `O_DIRECT` keeps cold data out of the page cache (the hot tier is the cache); a
    /// file system that refuses it gets buffered I/O instead.
    private static func openRegionFile(directory: String, geometry: ColdTierGeometry) throws(EngineError) -> RegionFile
    {
        let name = "trove-cold.regions"
        do {
            let file: RegionFile
            do {
                file = try RegionFile(directory: directory, name: name, create: true, direct: true)
            } catch  where error.errno == EINVAL {
                file = try RegionFile(directory: directory, name: name, create: true, direct: false)
            }
            let size = try file.size()
            if size < Int64(geometry.capacityBytes) {
                try file.preallocate(offset: 0, length: Int64(geometry.capacityBytes))
            }
            return file
        } catch {
            throw EngineError(error)
        }
    }

    /// The address of write buffer `buffer`.
    @inline(__always)
    func bufferAddress(_ buffer: Int) -> UnsafeMutableRawPointer {
        // Safe because `buffers` holds `writeBuffers` regions back to back.
        assert(buffer >= 0 && buffer < options.writeBuffers)
        return buffers.base + buffer * geometry.regionSize
    }

    /// Takes the tier out of service after a disk failure, keeping the first failure reported.
    ///
    /// From then on deletes and invalidations reach only memory (their records cannot be
    /// written), so whatever the directory holds may be stale: the epoch moves on, if the
    /// disk still takes a manifest, and the next open finds the tier empty rather than
    /// bring deleted entries back. Once per tier, under `state`'s lock.
    func fail(_ error: EngineError, _ state: inout State) {
        guard state.failure == nil else { return }
        state.failure = error
        state.epoch += 1
        try? ColdManifest(geometry: geometry, epoch: state.epoch).write(to: directory)
        lockedState.broadcast()
    }

    /// The failure that took the tier out of service, if any.
    package var currentFailure: EngineError? {
        lockedState.withLock { $0.failure }
    }

    /// Makes everything appended so far durable: writes the buffers and the partly filled
    /// region, then syncs the file.
    ///
    /// - Returns: `.ok`, or the failure status if the tier is out of service.
    package func flush() -> TroveStatus {
        let ticket = lockedState.withLock { state in
            state.flushesRequested += 1
            lockedState.broadcast()
            return state.flushesRequested
        }
        return lockedState.withLockWaiting { state in
            guard state.flushesCompleted >= ticket || state.failure != nil || state.stopping else { return nil }
            return state.failure?.status ?? .ok
        }
    }

    /// Forgets every entry, durably: the epoch moves on, so regions written before are
    /// treated as empty, now and after a restart. Also on a tier out of service, whose
    /// stale records a restart would otherwise find again.
    ///
    /// - Returns: `.ok`, or the error that kept the new epoch from being written.
    package func removeAll() -> TroveStatus {
        let manifest = lockedState.withLockWaiting { state -> ColdManifest? in
            // A tier out of service serves nothing more and its stopped writer never drains
            // what it holds: only the epoch matters there. Otherwise regions the writer holds
            // cannot be dropped under it.
            if state.failure == nil {
                guard state.sealed.isEmpty && !state.isWriting else { return nil }
                if let current = state.current, let buffer = state.regions[current].buffer {
                    state.freeBuffers.append(buffer)
                    state.regions[current] = RegionState()
                }
                state.current = nil
                for region in state.regions.indices where state.regions[region].phase == .durable {
                    state.regions[region] = RegionState()
                }
                state.freeRegions = state.regions.indices.filter { state.regions[$0].phase == .free }.reversed()
            }
            state.durable.removeAll()
            state.durableHead = 0
            state.invalidations.removeAll()
            state.epoch += 1
            return ColdManifest(geometry: geometry, epoch: state.epoch)
        }
        index.removeAll()
        do {
            try manifest.write(to: directory)
        } catch {
            lockedState.withLock { fail(error, &$0) }
            return error.status
        }
        return .ok
    }

    /// Flushes, stops the writer and writes an index checkpoint so the next open is fast.
    ///
    /// - Returns: `.ok`, or the failure that kept the data or the checkpoint from being written.
    @discardableResult
    package func close() -> TroveStatus {
        let thread: pthread_t? = lockedState.withLock { state in
            defer { state.writerThread = nil }
            if state.writerThread != nil { state.stopping = true }
            lockedState.broadcast()
            return state.writerThread
        }
        guard let thread else { return .ok }
        pthread_join(thread, nil)
        defer { directoryLock = nil }
        if let failure = currentFailure { return failure.status }
        do {
            try writeCheckpoint()
        } catch {
            return error.status
        }
        return .ok
    }

    private func startWriter() throws(EngineError) {
        // Safe because the writer thread takes the retained reference back exactly once, or, if the
        // thread was never created, the failure path below releases it.
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread,
            nil,
            { context in
                // Safe because `context` is the non-null pointer passed to `pthread_create` below.
                let tier = Unmanaged<ColdTier>.fromOpaque(context!).takeRetainedValue()
                tier.runWriter()
                return nil
            },
            context
        )
        guard status == 0 else {
            Unmanaged<ColdTier>.fromOpaque(context).release()
            throw EngineError(SystemError("pthread_create", errno: status))
        }
        lockedState.withLock { $0.writerThread = thread }
    }

    /// A snapshot of the counters and state.
    package func statistics() -> ColdStatistics {
        var stats = ColdStatistics()
        stats.failure = currentFailure
        stats.isHealthy = stats.failure == nil
        stats.hits = counters.hits.value
        stats.misses = counters.misses.value
        stats.items = UInt64(index.count)
        stats.indexBytes = UInt64(index.byteCount)
        stats.regionsWritten = counters.regionsWritten.value
        stats.bytesWritten = counters.bytesWritten.value
        stats.demotedBytes = counters.demotedBytes.value
        stats.demotions = counters.demotions.value
        stats.droppedDemotions = counters.droppedDemotions.value
        stats.compressedRecords = counters.compressedRecords.value
        stats.checksumFailures = counters.checksumFailures.value
        stats.readErrors = counters.readErrors.value
        stats.regionsEvicted = counters.regionsEvicted.value
        stats.promotions = counters.promotions.value
        stats.recoveredItems = recoveredItems
        stats.recoveryMilliseconds = recoveryMilliseconds
        stats.recoveredFromCheckpoint = recoveredFromCheckpoint
        stats.capacityBytes = UInt64(geometry.capacityBytes)
        stats.regionSize = UInt64(geometry.regionSize)
        return stats
    }
}

extension ColdTier.State {
    /// Whether a region's buffer is being written now.
    fileprivate var isWriting: Bool {
        regions.contains { if case .writing = $0.phase { true } else { false } }
    }
}
