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
/// Lock order: a hot stripe's mutex, then `state`, then an index stripe's mutex; `state`
/// is never held during I/O.
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
    /// A block of zeros the writer writes over an evicted region's header.
    let zeroBlock: MappedMemory

    /// Guards everything below, and wakes the writer and anyone waiting for it.
    let state = ConditionLock()
    var regions: [RegionState]
    /// Durable regions, oldest first from `durableHead`: the eviction order.
    var durable: [Int] = []
    var durableHead = 0
    var freeRegions: [Int] = []
    var freeBuffers: [Int]
    var sealed: [Int] = []
    /// The region being filled, if any.
    var current: Int?
    var nextSequence: UInt64 = 1
    var epoch: UInt64
    var invalidations: [ColdInvalidation] = []
    var flushesRequested: UInt64 = 0
    var flushesCompleted: UInt64 = 0
    var stopping = false
    /// Set once the writer has synced for `close`.
    var closingSynced = false
    var failure: EngineError?
    private var writerThread: pthread_t?

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
        epoch = manifest.epoch
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
        regions = Array(repeating: RegionState(), count: geometry.regionCount)
        freeBuffers = Array((0..<options.writeBuffers).reversed())
        let started = WallClock.nowMilliseconds()
        let recovery = try recover()
        recoveredItems = UInt64(recovery.items)
        recoveredFromCheckpoint = recovery.fromCheckpoint
        recoveryMilliseconds = WallClock.nowMilliseconds() - started
        try startWriter()
    }

    /// Joins a writer that stopped by itself on a disk failure. A running writer holds the
    /// tier, so a tier is released unclosed only then: its owner must call `close`, which the
    /// engine does in its own `close` and `deinit`.
    deinit {
        _ = close()
    }

    private static func makeDirectory(_ path: String) throws(EngineError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw EngineError(SystemError("mkdir(\(path))", errno: errno))
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
        buffers.base + buffer * geometry.regionSize
    }

    /// Takes the tier out of service after a disk failure. Caller holds `state`.
    func fail(_ error: EngineError) {
        guard failure == nil else { return }
        failure = error
        state.broadcast()
    }

    /// The failure that took the tier out of service, if any.
    package var currentFailure: EngineError? {
        state.withLock { failure }
    }

    /// Makes everything appended so far durable: writes the buffers and the partly filled
    /// region, then syncs the file.
    ///
    /// - Returns: `.ok`, or the failure status if the tier is out of service.
    package func flush() -> TroveStatus {
        state.lock()
        defer { state.unlock() }
        flushesRequested += 1
        let ticket = flushesRequested
        state.broadcast()
        while flushesCompleted < ticket && failure == nil && !stopping {
            state.wait()
        }
        return failure?.status ?? .ok
    }

    /// Forgets every entry, durably: the epoch moves on, so regions written before are
    /// treated as empty, now and after a restart.
    package func removeAll() -> TroveStatus {
        state.lock()
        while !sealed.isEmpty || isWriting {
            state.wait()
        }
        if let current, let buffer = regions[current].buffer {
            freeBuffers.append(buffer)
            regions[current] = RegionState()
        }
        current = nil
        for region in regions.indices where regions[region].phase == .durable {
            regions[region] = RegionState()
        }
        freeRegions = regions.indices.filter { regions[$0].phase == .free }.reversed()
        durable.removeAll()
        durableHead = 0
        invalidations.removeAll()
        epoch += 1
        let manifest = ColdManifest(geometry: geometry, epoch: epoch)
        state.unlock()
        index.removeAll()
        do {
            try manifest.write(to: directory)
        } catch {
            state.withLock { fail(error) }
            return error.status
        }
        return .ok
    }

    /// Whether a region's buffer is being written now. Caller holds `state`.
    private var isWriting: Bool {
        regions.contains { if case .writing = $0.phase { true } else { false } }
    }

    /// Flushes, stops the writer and writes an index checkpoint so the next open is fast.
    ///
    /// - Returns: `.ok`, or the failure that kept the data or the checkpoint from being written.
    @discardableResult
    package func close() -> TroveStatus {
        let thread: pthread_t? = state.withLock {
            defer { writerThread = nil }
            if writerThread != nil { stopping = true }
            state.broadcast()
            return writerThread
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
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread,
            nil,
            { context in
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
        state.withLock { writerThread = thread }
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
