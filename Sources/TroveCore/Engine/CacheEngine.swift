import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The cache engine behind the Swift and C APIs: validates arguments, tracks operations
/// in flight, and routes them to the tiers.
///
/// Thread-safe. Every operation may run on any thread at any time, including `close`:
/// operations that start after `close` return `.closed`, and `close` waits for those
/// already running before it gives memory back.
package final class CacheEngine: @unchecked Sendable {
    package let options: EngineOptions
    package let hot: HotTier
    let cells = OperationCells()
    private let closed = Atomic<Bool>(false)

    /// Opens an engine.
    ///
    /// - Throws: `EngineError` with `.invalidArgument` for a bad option (the message names
    ///   it) or `.outOfMemory` when the memory cannot be reserved.
    package init(options: EngineOptions) throws(EngineError) {
        let geometry = try HotTierGeometry(
            capacityBytes: options.capacityBytes,
            requestedStripes: options.stripes,
            maximumItems: options.maximumItems
        )
        self.options = options
        hot = try HotTier(geometry: geometry, policy: options.policy)
    }

    /// Marks an operation in flight on the calling thread's cell, or returns `nil` if closed.
    ///
    /// The increment is a full fence and `close` stores its flag with one too, so either
    /// `close` sees this operation in flight or the operation sees the flag.
    @inline(__always)
    func enter() -> UnsafeMutableRawPointer? {
        let cell = cells.current()
        AtomicWords.incrementOrdered(cell)
        if closed.load(ordering: .sequentiallyConsistent) {
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

    /// Copies `key`'s value into `buffer`.
    ///
    /// - Returns: `.ok` with the length copied; `.bufferTooSmall` with the length needed
    ///   (nothing copied); `.notFound`; `.closed`; `.invalidArgument` or `.tooBig` for a bad key.
    /// - Complexity: Expected O(1) and lock-free on a hot-tier hit; no allocation.
    package func get(key: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        let valid = CacheEngine.validate(key: key)
        guard valid == .ok else { return ReadResult(status: valid, length: 0) }
        guard let cell = enter() else { return ReadResult(status: .closed, length: 0) }
        defer { leave(cell) }
        let hash = KeyHash.hash(key)
        switch hot.read(hash: hash, key: key, into: buffer) {
        case .hit(let length):
            OperationCells.increment(.hits, in: cell)
            return ReadResult(status: .ok, length: length)
        case .bufferTooSmall(let length):
            return ReadResult(status: .bufferTooSmall, length: length)
        case .miss:
            OperationCells.increment(.misses, in: cell)
            return ReadResult(status: .notFound, length: 0)
        case .expired:
            OperationCells.increment(.misses, in: cell)
            hot.removeIfExpired(key: key, hash: hash, now: WallClock.nowMilliseconds())
            return ReadResult(status: .notFound, length: 0)
        }
    }

    /// Inserts or overwrites `key` with `value`, expiring after `ttlMilliseconds` (0: never).
    ///
    /// - Returns: `.ok`; `.tooBig` if the entry cannot fit in a segment; `.outOfMemory` if
    ///   no memory could be freed for it; `.closed`; `.invalidArgument` for a bad key.
    /// - Complexity: Expected O(1); may evict entries (amortized O(1) per insert).
    package func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, ttlMilliseconds: UInt64 = 0)
        -> TroveStatus
    {
        let valid = CacheEngine.validate(key: key)
        guard valid == .ok else { return valid }
        guard value.count < EntryLayout.valueLengthLimit else { return .tooBig }
        guard value.count == 0 || value.baseAddress != nil else { return .invalidArgument }
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        let hash = KeyHash.hash(key)
        let status = hot.put(key: key, value: value, hash: hash, expiry: WallClock.expiry(afterMilliseconds: ttlMilliseconds))
        if status == .ok { OperationCells.increment(.puts, in: cell) }
        return status
    }

    /// Removes `key`.
    ///
    /// - Returns: `.ok` if an entry was removed, `.notFound` if there was none, `.closed`, or a key error.
    package func delete(key: UnsafeRawBufferPointer) -> TroveStatus {
        let valid = CacheEngine.validate(key: key)
        guard valid == .ok else { return valid }
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        guard hot.remove(key: key, hash: KeyHash.hash(key)) else { return .notFound }
        OperationCells.increment(.deletes, in: cell)
        return .ok
    }

    /// Whether `key` is cached and unexpired: `.ok` or `.notFound` (or `.closed`, or a key error).
    ///
    /// Does not count as a hit or miss and does not change the key's standing with the policy.
    package func contains(key: UnsafeRawBufferPointer) -> TroveStatus {
        let valid = CacheEngine.validate(key: key)
        guard valid == .ok else { return valid }
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        return hot.contains(hash: KeyHash.hash(key), key: key) ? .ok : .notFound
    }

    /// Drops every entry and returns the hot tier's memory to the OS.
    package func removeAll() -> TroveStatus {
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        hot.removeAll()
        return .ok
    }

    /// Makes everything written so far durable. A memory-only engine has nothing to do.
    package func flush() -> TroveStatus {
        guard let cell = enter() else { return .closed }
        leave(cell)
        return .ok
    }

    /// Whether `close` has been called.
    package var isClosed: Bool { closed.load(ordering: .sequentiallyConsistent) }

    /// Closes the engine: later operations return `.closed`; memory goes back to the OS
    /// once operations already running have finished.
    ///
    /// - Returns: `.ok`, or `.closed` if it was already closed.
    package func close() -> TroveStatus {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return .closed }
        while cells.total(.inFlight) != 0 {
            sched_yield()
        }
        hot.discardMemory()
        return .ok
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
        for stripe in hot.stripes {
            let header = stripe.header
            stats.items &+= AtomicWords.loadRelaxed(header.items)
            stats.payloadBytes &+= AtomicWords.loadRelaxed(header.payloadBytes)
            stats.evictions &+= AtomicWords.loadRelaxed(header.evictions)
            stats.expirations &+= AtomicWords.loadRelaxed(header.expirations)
            stats.reinsertions &+= AtomicWords.loadRelaxed(header.reinsertions)
        }
        stats.memoryBytes = UInt64(hot.pool.bytesInUse)
        stats.indexBytes = UInt64(hot.pool.metadataBytesInUse)
        stats.capacityBytes = UInt64(hot.geometry.capacityBytes)
        stats.stripes = UInt32(hot.geometry.stripeCount)
        stats.segmentSize = UInt32(hot.geometry.segmentSize)
        return stats
    }
}
