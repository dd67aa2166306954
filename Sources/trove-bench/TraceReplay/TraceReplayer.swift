import Trove
// The entry layout only, for the largest object one entry holds; the public API gives the segment size, not the header.
import TroveCore

/// Replays requests through a real `Cache` as libCacheSim's simulator does: a get, and on a miss a put.
///
/// The key is the object id's 8 little-endian bytes. An object-count cache stores empty values; a byte cache stores
/// values of the object's size (zero bytes: the content does not matter to the engine), and an object too large for
/// one entry (`largestObject`) counts as a miss and is not inserted, as in a simulator whose cache cannot hold it.
///
/// Single-threaded: one replayer drives one cache, which it opens on init and closes on deinit.
final class TraceReplayer {
    /// The cache's size.
    let capacity: ReplayCapacity
    /// The eviction policy.
    let policy: CacheOptions.Policy
    /// The cache replayed through.
    let cache: Cache
    /// The largest object a byte cache can insert: one entry holds it with its key and header.
    let largestObject: Int
    /// What has been counted so far.
    private(set) var counts = ReplayCounts()
    /// Whether an object-count cache was seen holding fewer objects than its limit once full: the byte budget, which
    /// should never bind, evicted something. Checked every 2^16 requests by `replay`, so it can miss a brief dip.
    private(set) var byteBudgetBound = false
    private let values: UnsafeMutableRawBufferPointer

    /// Opens a cache of `capacity` with `policy`.
    ///
    /// - Parameter stripes: Lock stripes (see `ReplayCapacity.cacheOptions`); 1 as in the reference simulator.
    /// - Throws: `ReplayError.badCapacity` for an object count outside `1...ReplayCapacity.maximumObjects` (the
    ///   engine would read 0 as no limit), `ReplayError.engineOpen` if the engine refuses the options (a byte
    ///   budget outside 1 MiB to 1 TiB, say).
    init(capacity: ReplayCapacity, policy: CacheOptions.Policy, stripes: Int = 1) throws(ReplayError) {
        if case .objects(let count) = capacity, !(1...ReplayCapacity.maximumObjects).contains(count) {
            throw .badCapacity("a cache of \(count) objects is outside 1...\(ReplayCapacity.maximumObjects)")
        }
        let cache: Cache
        let segmentSize: Int
        do {
            cache = try Cache(options: capacity.cacheOptions(policy: policy, stripes: stripes))
            segmentSize = try cache.statistics().segmentSize
        } catch {
            throw .engineOpen(error)
        }
        // The header's length depends on the value's, so start below the answer and step up to it (a few steps).
        var largest = max(segmentSize - 8 - EntryLayout.maximumHeaderLength, 0)
        while EntryLayout.totalLength(keyLength: 8, valueLength: largest + 1, hasExpiry: false) <= segmentSize {
            largest += 1
        }
        self.capacity = capacity
        self.policy = policy
        self.cache = cache
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
        cache.close()
        if values.count > 0 { values.deallocate() }
    }

    /// Replays one request: a get and, on a miss, a put.
    ///
    /// - Throws: `ReplayError.engineRefused` if the engine answers with an error other than (for a put) lack of
    ///   memory; none happens with valid options.
    /// - Complexity: One get, plus one put on a miss (which may evict); no allocation.
    @inline(__always)
    func request(objectID: UInt64, size: UInt32) throws(ReplayError) {
        counts.requests += 1
        counts.requestedBytes += UInt64(size)
        var key = objectID.littleEndian
        // `withUnsafeBytes` rethrows untyped errors; a `Result` keeps the typed one.
        let read = withUnsafeBytes(of: &key) { key in
            Result { () throws(TroveError) in try cache.get(key, into: values) }
        }
        switch read {
        case .success(.found), .success(.bufferTooSmall):
            counts.hits += 1
        case .success(.notFound):
            counts.missedBytes += UInt64(size)
            try insert(objectID: objectID, size: Int(size))
        case .failure(let error):
            throw .engineRefused(request: "a get of object \(objectID)", error: error)
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
        let written = withUnsafeBytes(of: &key) { key in
            Result { () throws(TroveError) in
                try cache.put(key, UnsafeRawBufferPointer(rebasing: values[..<length]))
            }
        }
        switch written {
        case .success:
            break
        case .failure(let error) where error.code == .outOfMemory:
            counts.rejectedPuts += 1
        case .failure(let error):
            throw .engineRefused(request: "a put of object \(objectID)", error: error)
        }
    }

    /// Replays every request of `trace`, in order.
    ///
    /// - Parameter progress: Told how many requests are done every 2^16 requests.
    /// - Returns: The seconds the loop took (the replay only: the trace is already in memory).
    /// - Throws: `ReplayError.engineRefused` (see `request(objectID:size:)` and `statistics()`).
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
            try checkEntryLimitHeld()
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
                try checkEntryLimitHeld()
                progress?.update(done)
            }
        }
        try checkEntryLimitHeld()
        return Double(ProcessMetrics.nanoseconds() - start) / 1e9
    }

    /// Notes in `byteBudgetBound` whether a full object-count cache holds fewer objects than its limit.
    ///
    /// With no deletes or expiry, every insert past the limit evicts exactly one entry, so a full cache stays at its
    /// limit unless memory pressure evicted too.
    ///
    /// - Throws: `ReplayError.engineRefused` (see `statistics()`).
    func checkEntryLimitHeld() throws(ReplayError) {
        guard case .objects(let limit) = capacity, counts.requests - counts.hits - counts.rejectedPuts >= limit else {
            return
        }
        if try statistics().items < UInt64(limit) { byteBudgetBound = true }
    }

    /// The cache's statistics now.
    ///
    /// - Throws: `ReplayError.engineRefused` if the cache refuses them, which it does only once closed (it is not,
    ///   before deinit).
    func statistics() throws(ReplayError) -> CacheStatistics {
        do {
            return try cache.statistics()
        } catch {
            throw .engineRefused(request: "its statistics", error: error)
        }
    }
}
