import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The cache engine behind the Swift and C APIs: validates arguments, tracks operations
/// in flight, and routes them to the tiers.
///
/// Thread-safe. Every operation may run on any thread at any time, including `close`:
/// operations that start after `close` return `.closed`, and `close` waits for those
/// already running before it gives memory, files, io_uring rings and threads back.
package final class CacheEngine: @unchecked Sendable {
    package let options: EngineOptions
    /// Why the disk tier is not running although a path was given.
    package let coldOpenFailure: EngineError?
    let cells = OperationCells()
    /// Loads in progress (`getOrLoad`), which writes and invalidations must reach.
    package let loads: LoadRegistry
    /// The removal listener's queue, made when a listener is first set. Guarded by
    /// `CacheEngine.removalsLock`, one for the process: setting a listener is rare, and a
    /// lock per engine would grow the closed shell each C handle leaves behind.
    var removalQueue: RemovalQueue?
    static let removalsLock = ConditionLock()
    /// The thread running synchronous loaders' background reloads, started by the first
    /// (`refreshInBackground`); `.stopped` once `close` has stopped it. Guarded by
    /// `CacheEngine.refreshLock`, one for the process, as `removalQueue` is.
    var refreshThread: RefreshThreadState = .none
    static let refreshLock = ConditionLock()
    /// The largest entry (header, key and value) a segment holds, readable after `close` too.
    package let segmentSize: Int
    /// The tags of entries (`put(key:value:ttlMilliseconds:tags:)`, tagged loads).
    package let tags = TagIndex()
    /// Whether the disk tier's directory is marked as holding tagged entries (`TagFile`).
    let tagsMarked = Atomic<Bool>(false)
    static let tagMarkerLock = ConditionLock()
    private let closed = Atomic<Bool>(false)
    /// The `ForkGeneration` this engine was opened in: a child of a later `fork()` has none
    /// of its threads, and may not use it.
    private let forkGeneration = ForkGeneration.register()
    /// The tiers, owned by the engine but held unmanaged: `close` releases them, and with them
    /// everything the engine took from the OS, while the engine lives on as a closed shell of under a
    /// kilobyte for as long as it is referenced (the C handle table keeps it for calls
    /// that raced with `close`). `withHot` and `withCold` reach them as cheaply as the strong
    /// `let`s they replace; `takeUnretainedValue()` would add a retain and a release to every
    /// operation, on a reference count that every thread shares.
    let hotTier: Unmanaged<HotTier>
    let coldTier: Unmanaged<ColdTier>?

    /// The memory tier.
    ///
    /// - Warning: Only while the engine is open (for the engine itself: between `enter` and
    ///   `leave`); `close` releases it. Each use retains it, so hot paths use `withHot`.
    package var hot: HotTier { hotTier.takeUnretainedValue() }

    /// The disk tier, when a path was given and it could be opened.
    ///
    /// - Warning: As for `hot`: only while the engine is open; hot paths use `withCold`.
    package var cold: ColdTier? { coldTier?.takeUnretainedValue() }

    /// Opens an engine.
    ///
    /// A disk tier that cannot be opened because of the disk (an unwritable directory, no
    /// space, an I/O error) leaves a memory-only engine that reports why in its statistics;
    /// a directory of another format or geometry, or one in use, is refused.
    ///
    /// - Throws: `EngineError` with `.invalidArgument` for a bad option (the message names
    ///   it), `.badFormat` for a directory that is not this engine's, or `.outOfMemory`
    ///   when the memory cannot be reserved.
    package init(options: EngineOptions) throws(EngineError) {
        let geometry = try HotTierGeometry(
            capacityBytes: options.capacityBytes,
            requestedStripes: options.stripes,
            maximumItems: options.maximumItems
        )
        self.options = options
        segmentSize = geometry.segmentSize
        // About 1/2,048 of the budget for remembered absent keys, at ~100 bytes each.
        // About 1/64 of it, at most, for the refresh schedule, at ~100 bytes a key.
        loads = LoadRegistry(
            absentTimeToLiveMilliseconds: options.absentTimeToLiveMilliseconds,
            absentLimit: max(Int(options.capacityBytes >> 11) / 100, 1024),
            refreshLimit: max(Int(options.capacityBytes >> 6) / 100, 1024)
        )
        let hot = try HotTier(geometry: geometry, policy: options.policy)
        var cold: ColdTier?
        var coldOpenFailure: EngineError?
        if let path = options.path {
            var coldOptions = ColdTierOptions(directory: path, diskCapacityBytes: options.diskCapacityBytes)
            coldOptions.compressionThreshold = Int(options.compressionThreshold)
            coldOptions.compressionLevel = Int(options.compressionLevel)
            coldOptions.ioQueues = options.coldIOQueues
            do {
                let tier = try ColdTier(options: coldOptions)
                hot.attach(tier)
                cold = tier
            } catch  where error.status == .badFormat || error.status == .invalidArgument {
                throw error
            } catch {
                coldOpenFailure = error
            }
        }
        self.coldOpenFailure = coldOpenFailure
        hotTier = .passRetained(hot)
        coldTier = cold.map { .passRetained($0) }
        restoreTags()
    }

    /// Closes an engine nobody closed, so that its disk tier's writer thread (which holds the
    /// tier until it is closed) stops and everything goes back to the OS.
    deinit {
        _ = close()
    }

    /// Runs `body` with the memory tier, retaining nothing. Only while the engine is open.
    @inline(__always)
    func withHot<Result>(_ body: (HotTier) -> Result) -> Result {
        // Safe because callers are between `enter` and `leave`, and `close` releases the tier
        // only after every operation that entered has left.
        hotTier._withUnsafeGuaranteedRef(body)
    }

    /// Runs `body` with the disk tier (`nil` without one), retaining nothing. Only while the engine is open.
    @inline(__always)
    func withCold<Result>(_ body: (ColdTier?) -> Result) -> Result {
        guard let coldTier else { return body(nil) }
        // Safe because, as for `withHot`, `close` waits for the operations that entered.
        return coldTier._withUnsafeGuaranteedRef { body($0) }
    }

    /// Marks an operation in flight on the calling thread's cell, or returns `nil` if closed.
    ///
    /// The increment is a full fence and `close` follows its flag with one too, so either
    /// `close` sees this operation in flight or the operation sees the flag. A call that
    /// raced with `close` may come here after it, on the closed shell: its increment then
    /// lands in cells `close` recycled, and it takes it back before returning `nil`.
    @inline(__always)
    func enter() -> UnsafeMutableRawPointer? {
        let cell = cells.current()
        AtomicWords.incrementOrdered(cell)
        if closed.load(ordering: .sequentiallyConsistent) || ForkGeneration.current != forkGeneration {
            AtomicWords.decrementOrdered(cell)
            return nil
        }
        return cell
    }

    @inline(__always)
    func leave(_ cell: UnsafeMutableRawPointer) {
        AtomicWords.decrementOrdered(cell)
    }

    @inline(__always)
    static func validate(key: UnsafeRawBufferPointer) -> TroveStatus {
        if key.count == 0 || key.baseAddress == nil { return .invalidArgument }
        if key.count > EntryLayout.maximumKeyLength { return .tooBig }
        return .ok
    }

    /// The result of `get`: a status and, for `.ok` and `.bufferTooSmall`, the value's length.
    package struct ReadResult: Equatable {
        package var status: TroveStatus
        package var length: Int

        package init(status: TroveStatus, length: Int) {
            self.status = status
            self.length = length
        }
    }

    /// Copies `key`'s value into `buffer`, from memory or else from disk.
    ///
    /// - Returns: `.ok` with the length copied; `.bufferTooSmall` with the length needed
    ///   (nothing copied); `.notFound`; `.closed`; `.invalidArgument` or `.tooBig` for a bad key.
    /// - Complexity: Expected O(1) and lock-free on a memory hit, with no allocation; a
    ///   disk hit adds one read (and brings the entry back into memory).
    package func get(key: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        let valid = CacheEngine.validate(key: key)
        guard valid == .ok else { return ReadResult(status: valid, length: 0) }
        guard let cell = enter() else { return ReadResult(status: .closed, length: 0) }
        defer { leave(cell) }
        let hash = KeyHash.hash(key)
        switch withHot({ $0.read(hash: hash, key: key, into: buffer) }) {
        case .hit(let length):
            OperationCells.increment(.hits, in: cell)
            return ReadResult(status: .ok, length: length)
        case .bufferTooSmall(let length):
            return ReadResult(status: .bufferTooSmall, length: length)
        case .miss:
            return readCold(key: key, hash: hash, into: buffer, cell: cell)
        case .expired:
            withHot { $0.removeIfExpired(key: key, hash: hash, now: WallClock.nowMilliseconds()) }
            return readCold(key: key, hash: hash, into: buffer, cell: cell)
        }
    }

    @inline(never)
    private func readCold(
        key: UnsafeRawBufferPointer,
        hash: UInt64,
        into buffer: UnsafeMutableRawBufferPointer,
        cell: UnsafeMutableRawPointer
    ) -> ReadResult {
        let read = withCold { cold -> (ColdTier.ReadOutcome, PromotionFence.Ticket)? in
            guard let cold else { return nil }
            let ticket = cold.promotionFence.ticket()
            return (cold.read(key: key, hash: hash, into: buffer), ticket)
        }
        guard case let (outcome, ticket)? = read else {
            OperationCells.increment(.misses, in: cell)
            return ReadResult(status: .notFound, length: 0)
        }
        return finish(outcome, ticket: ticket, key: key, hash: hash, buffer: buffer, cell: cell)
    }

    /// Counts a cold read's outcome and promotes a hit into memory, unless a bulk removal
    /// ran since `ticket` was taken, before the read (`PromotionFence`).
    func finish(
        _ outcome: ColdTier.ReadOutcome,
        ticket: PromotionFence.Ticket,
        key: UnsafeRawBufferPointer,
        hash: UInt64,
        buffer: UnsafeMutableRawBufferPointer,
        cell: UnsafeMutableRawPointer
    ) -> ReadResult {
        switch outcome {
        case .hit(let length, let slot, let expiry):
            OperationCells.increment(.hits, in: cell)
            withCold { cold in
                guard let cold else { return }
                let value = UnsafeRawBufferPointer(rebasing: buffer[..<length])
                let promoted = withHot { hot in
                    hot.promote(key: key, value: value, hash: hash, expiry: expiry) {
                        cold.promotionFence.admits(ticket) && cold.index.lookup(hash: hash) == slot
                    }
                }
                if promoted { cold.counters.promotions.bump() }
            }
            return ReadResult(status: .ok, length: length)
        case .bufferTooSmall(let length):
            return ReadResult(status: .bufferTooSmall, length: length)
        case .miss:
            OperationCells.increment(.misses, in: cell)
            return ReadResult(status: .notFound, length: 0)
        }
    }

    /// Inserts or overwrites `key` with `value`, expiring after `ttlMilliseconds` (0: never).
    ///
    /// - Returns: `.ok`; `.tooBig` if the entry cannot fit in a segment; `.outOfMemory` if
    ///   no memory could be freed for it; `.closed`; `.invalidArgument` for a bad key.
    /// - Complexity: Expected O(1); may evict entries (amortized O(1) per insert).
    package func put(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        ttlMilliseconds: UInt64 = 0
    )
        -> TroveStatus
    {
        // Around the write: a load that began before it must not cache over it (`LoadRegistry`).
        loads.keyChanging(key)
        let status = store(key: key, value: value, ttlMilliseconds: ttlMilliseconds)
        if status != .invalidArgument && status != .closed { keyChanged(key) }
        return status
    }

    /// `put` without telling loads in progress: what a load that is not stale caches.
    func store(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        ttlMilliseconds: UInt64
    )
        -> TroveStatus
    {
        let valid = CacheEngine.validate(key: key, value: value)
        guard valid == .ok else { return valid }
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        let hash = KeyHash.hash(key)
        let expiry = WallClock.expiry(afterMilliseconds: ttlMilliseconds)
        let status = withHot { $0.put(key: key, value: value, hash: hash, expiry: expiry) }
        if status == .ok { OperationCells.increment(.puts, in: cell) }
        return status
    }

    /// Removes `key` from memory and disk.
    ///
    /// - Returns: `.ok` if an entry was removed, `.notFound` if there was none, `.closed`, or a key error.
    package func delete(key: UnsafeRawBufferPointer) -> TroveStatus {
        let valid = CacheEngine.validate(key: key)
        guard valid == .ok else { return valid }
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        let hash = KeyHash.hash(key)
        // Around the removal, as `LoadRegistry` explains.
        loads.keyChanged(key)
        let removed = withHot { $0.delete(key: key, hash: hash) }
        keyChanged(key)
        guard removed else { return .notFound }
        OperationCells.increment(.deletes, in: cell)
        return .ok
    }

    /// Whether `key` is cached and unexpired: `.ok` or `.notFound` (or `.closed`, or a key error).
    ///
    /// Does not count as a hit or miss and does not change the key's standing with the
    /// policy; a key only on disk costs a read to check.
    package func contains(key: UnsafeRawBufferPointer) -> TroveStatus {
        let valid = CacheEngine.validate(key: key)
        guard valid == .ok else { return valid }
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        let hash = KeyHash.hash(key)
        if withHot({ $0.contains(hash: hash, key: key) }) { return .ok }
        let nowhere = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        switch withCold({ $0?.read(key: key, hash: hash, into: nowhere) }) {
        case .hit, .bufferTooSmall: return .ok
        case .miss, nil: return .notFound
        }
    }

    /// Drops every entry from memory and disk and returns the memory to the OS.
    package func removeAll() -> TroveStatus {
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        return removingInBulk { cold in
            loads.keysChanged { _ in true }
            hot.removeAll()
            loads.keysChanged { _ in true }
            tags.removeAll()
            return cold?.removeAll() ?? .ok
        }
    }

    /// Makes everything written so far durable: entries in memory that the disk does not
    /// have yet are written back to it, then the disk tier is synced.
    ///
    /// - Returns: `.ok` (a memory-only engine has nothing to do), or the disk tier's failure.
    /// - Complexity: O(entries in memory) to find the changed ones; writes only those.
    package func flush() -> TroveStatus {
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        return writeBack()
    }

    private func writeBack() -> TroveStatus {
        if let coldOpenFailure { return coldOpenFailure.status }
        guard let cold else { return .ok }
        // A cold tier that stops taking entries reports why from `flush`.
        _ = hot.persistEntries(to: cold)
        return cold.flush()
    }

    /// Closes the engine: later operations return `.closed`; once operations already
    /// running have finished, memory is written back to the disk tier (as `flush` does),
    /// which is then synced and checkpointed, and both tiers are released, giving their
    /// memory, region file, io_uring rings and writer thread back to the OS.
    ///
    /// - Returns: `.ok`, `.closed` if it was already closed, or the disk tier's failure.
    /// - Warning: Blocks until the operations running on other threads have returned.
    package func close() -> TroveStatus {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return .closed }
        // In a child of a fork, the threads to stop are the parent's: the child keeps its
        // copy of the memory and descriptors until it exits.
        guard !isInheritedThroughFork else { return .ok }
        // First: a background reload may be waiting for its loader, and it holds no operation open.
        stopRefreshes()
        // The exchange alone does not order the relaxed loads below after it on every
        // architecture; the fences make the count complete and what it counted finished,
        // since the tiers are unmapped next.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        while cells.total(.inFlight) != 0 {
            sched_yield()
        }
        atomicMemoryFenceAcquiring()
        var status = TroveStatus.ok
        if let cold {
            let written = writeBack()
            let closed = cold.close()
            let saved = saveTags()
            status = written != .ok ? written : (closed != .ok ? closed : saved)
        }
        coldTier?.release()
        hotTier.release()
        cells.recycle()
        // Last: what the tiers' final removals queued is delivered before close returns.
        CacheEngine.removalsLock.lock()
        let queue = removalQueue
        removalQueue = nil
        CacheEngine.removalsLock.unlock()
        queue?.stop()
        return status
    }

    /// Whether this process is a child forked after the engine opened, which may not use it
    /// (its threads stayed in the parent): every operation answers `.closed`, and `close`
    /// only marks it closed.
    package var isInheritedThroughFork: Bool {
        ForkGeneration.current != forkGeneration
    }

    /// A snapshot of the counters, or `nil` once closed.
    package func statistics() -> EngineStatistics? {
        guard let cell = enter() else { return nil }
        defer { leave(cell) }
        var stats = EngineStatistics()
        stats.hits = cells.total(.hits)
        stats.misses = cells.total(.misses)
        stats.puts = cells.total(.puts)
        stats.deletes = cells.total(.deletes)
        let counters = hot.counters()
        stats.items = counters.items
        stats.payloadBytes = counters.payloadBytes
        stats.evictions = counters.evictions
        stats.expirations = counters.expirations
        stats.reinsertions = counters.reinsertions
        stats.predictions = hot.predictionOutcomes()
        stats.memoryBytes = UInt64(hot.pool.bytesInUse)
        stats.indexBytes = UInt64(hot.pool.metadataBytesInUse)
        stats.capacityBytes = UInt64(hot.geometry.capacityBytes)
        stats.stripes = UInt32(hot.geometry.stripeCount)
        stats.segmentSize = UInt32(hot.geometry.segmentSize)
        stats.loading = LoadStatistics(loads.counters)
        stats.tagInvalidations = tags.invalidationCount
        let tagCounts = tags.counts
        stats.tags = UInt64(tagCounts.tags)
        stats.taggedKeys = UInt64(tagCounts.taggedKeys)
        CacheEngine.removalsLock.lock()
        let queue = removalQueue
        CacheEngine.removalsLock.unlock()
        if let queue {
            stats.removalsDelivered = queue.delivered.load(ordering: .relaxed)
            stats.removalsDropped = queue.dropped.load(ordering: .relaxed)
        }
        if let cold {
            stats.cold = cold.statistics()
        } else if let coldOpenFailure {
            var failed = ColdStatistics()
            failed.isHealthy = false
            failed.failure = coldOpenFailure
            stats.cold = failed
        }
        return stats
    }
}
