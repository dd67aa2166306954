import TroveCore

/// Replays requests through a real `CacheEngine` as libCacheSim's simulator does: a get, and on a miss a put.
///
/// The key is the object id's 8 little-endian bytes. An object-count cache stores empty values; a byte cache stores
/// values of the object's size (zero bytes: the content does not matter to the engine), and an object too large for
/// one entry (`largestObject`) counts as a miss and is not inserted, as in a simulator whose cache cannot hold it.
///
/// Single-threaded: one replayer drives one engine, which it opens on init and closes on deinit.
final class TraceReplayer {
    /// The cache's size.
    let capacity: ReplayCapacity
    /// The eviction policy.
    let policy: PolicyKind
    /// The engine replayed through.
    let engine: CacheEngine
    /// The largest object a byte cache can insert: one entry holds it with its key and header.
    let largestObject: Int
    /// What has been counted so far.
    private(set) var counts = ReplayCounts()
    /// Whether an object-count cache was seen holding fewer objects than its limit once full: the byte budget, which
    /// should never bind, evicted something. Checked every 2^16 requests by `replay`, so it can miss a brief dip.
    private(set) var byteBudgetBound = false
    private let values: UnsafeMutableRawBufferPointer

    /// Opens an engine of `capacity` with `policy`.
    ///
    /// - Parameter stripes: Lock stripes (see `ReplayCapacity.engineOptions`); 1 as in the reference simulator.
    /// - Throws: `ReplayError.badCapacity` for a capacity the engine cannot have, `ReplayError.engineOpen` if the
    ///   engine refuses the options.
    init(capacity: ReplayCapacity, policy: PolicyKind, stripes: Int = 1) throws(ReplayError) {
        switch capacity {
        case .objects(let count):
            guard (1...ReplayCapacity.maximumObjects).contains(count) else {
                throw .badCapacity("a cache of \(count) objects is outside 1...\(ReplayCapacity.maximumObjects)")
            }
        case .bytes(let count):
            guard (HotTierGeometry.minimumCapacity...HotTierGeometry.maximumCapacity).contains(count) else {
                throw .badCapacity(
                    "a cache of \(count) bytes is outside the engine's 1 MiB (1048576) to 1 TiB; for smaller caches"
                        + " replay with --capacity N objects"
                )
            }
        }
        let engine: CacheEngine
        do {
            engine = try CacheEngine(options: capacity.engineOptions(policy: policy, stripes: stripes))
        } catch {
            throw .engineOpen(error)
        }
        // The header's length depends on the value's, so start below the answer and step up to it (a few steps).
        let segmentSize = Int(engine.statistics()?.segmentSize ?? 0)
        var largest = max(segmentSize - 8 - EntryLayout.maximumHeaderLength, 0)
        while EntryLayout.totalLength(keyLength: 8, valueLength: largest + 1, hasExpiry: false) <= segmentSize {
            largest += 1
        }
        self.capacity = capacity
        self.policy = policy
        self.engine = engine
        switch capacity {
        case .objects:
            largestObject = 0
            values = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        case .bytes:
            largestObject = largest
            values = .allocate(byteCount: max(largest, 1), alignment: 16)
            values.initializeMemory(as: UInt8.self, repeating: 0)
        }
    }

    deinit {
        _ = engine.close()
        if values.count > 0 { values.deallocate() }
    }

    /// Replays one request: a get and, on a miss, a put.
    ///
    /// - Throws: `ReplayError.engineRefused` if the engine answers with a status other than a hit, a miss or (for
    ///   a put) lack of memory; none of those happen with valid options.
    /// - Complexity: One engine get, plus one put on a miss (which may evict); no allocation.
    @inline(__always)
    func request(objectID: UInt64, size: UInt32) throws(ReplayError) {
        counts.requests += 1
        counts.requestedBytes += UInt64(size)
        var key = objectID.littleEndian
        let read = withUnsafeBytes(of: &key) { engine.get(key: $0, into: values) }
        switch read.status {
        case .ok, .bufferTooSmall:
            counts.hits += 1
        case .notFound:
            counts.missedBytes += UInt64(size)
            try insert(objectID: objectID, size: Int(size))
        default:
            throw .engineRefused(operation: "get", objectID: objectID, status: read.status)
        }
    }

    private func insert(objectID: UInt64, size: Int) throws(ReplayError) {
        let length: Int
        switch capacity {
        case .objects:
            length = 0
        case .bytes:
            guard size <= largestObject else {
                counts.oversized += 1
                return
            }
            length = size
        }
        var key = objectID.littleEndian
        let status = withUnsafeBytes(of: &key) { key in
            engine.put(key: key, value: UnsafeRawBufferPointer(rebasing: values[..<length]))
        }
        switch status {
        case .ok:
            break
        case .outOfMemory:
            counts.rejectedPuts += 1
        default:
            throw .engineRefused(operation: "put", objectID: objectID, status: status)
        }
    }

    /// Replays every request of `trace`, in order.
    ///
    /// - Parameter progress: Told how many requests are done every 2^16 requests.
    /// - Returns: The seconds the loop took (the replay only: the trace is already in memory).
    /// - Throws: `ReplayError.engineRefused` (see `request(objectID:size:)`).
    func replay(_ trace: LoadedTrace, progress: ProgressReporter? = nil) throws(ReplayError) -> Double {
        let start = ProcessMetrics.nanoseconds()
        let count = trace.count
        var done = 0
        while done < count {
            let end = min(done + 1 << 16, count)
            for index in done..<end {
                try request(objectID: trace.objectIDs[index], size: trace.sizes[index])
            }
            done = end
            checkEntryLimitHeld()
            progress?.update(done)
        }
        return Double(ProcessMetrics.nanoseconds() - start) / 1e9
    }

    /// Replays the requests of `reader` as they are read, for traces too large to load into memory.
    ///
    /// - Parameter progress: Told how many requests are done every 2^16 requests.
    /// - Returns: The seconds the loop took, reading and decompressing included.
    /// - Throws: The reader's `TraceError` or a `ReplayError`.
    func replay(reading reader: any TraceReader, progress: ProgressReporter? = nil) throws -> Double {
        let start = ProcessMetrics.nanoseconds()
        var done = 0
        while let next = try reader.next() {
            try request(objectID: next.objectID, size: next.size)
            done += 1
            if done & 0xFFFF == 0 {
                checkEntryLimitHeld()
                progress?.update(done)
            }
        }
        checkEntryLimitHeld()
        return Double(ProcessMetrics.nanoseconds() - start) / 1e9
    }

    /// Notes in `byteBudgetBound` whether a full object-count cache holds fewer objects than its limit.
    ///
    /// With no deletes or expiry, every insert past the limit evicts exactly one entry, so a full cache stays at its
    /// limit unless memory pressure evicted too.
    func checkEntryLimitHeld() {
        guard case .objects(let limit) = capacity, counts.requests - counts.hits - counts.rejectedPuts >= limit else {
            return
        }
        if statistics.items < UInt64(limit) { byteBudgetBound = true }
    }

    /// The engine's statistics now; replay keeps the engine open, so they are always there.
    var statistics: EngineStatistics {
        engine.statistics() ?? EngineStatistics()
    }
}
