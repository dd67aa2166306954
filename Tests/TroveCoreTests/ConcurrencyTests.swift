import Synchronization
import Testing
import TroveCore
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// These tests count work, not time: each runs a fixed number of operations, or until the
/// threads have made a given amount of progress, so they mean the same on an idle machine
/// and under ThreadSanitizer on two shared cores. A generous deadline only turns a hang
/// into a failure.
@Suite struct ConcurrencyTests {
    /// The xorshift64 step the threads below draw their operations from.
    static func next(_ state: inout UInt64) -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    /// Eight threads mix gets, puts and deletes on overlapping keys with eviction running.
    /// Every value read must be an intact payload for the key it was read under.
    @Test func mixedOperationsNeverTearOrMisplaceValues() throws {
        let engine = try CacheEngine.make(capacityBytes: 4 << 20, stripes: 4, policy: .s3fifo)
        let threads = 8
        let operationsPerThread = 4000
        let keys: UInt64 = 20_000
        // Fill past the budget first, so eviction runs throughout.
        for id in 0..<keys {
            _ = engine.put(key(id), Payload.make(key: id, version: 0, length: 400))
        }
        let evictionsBefore = try #require(engine.statistics()).evictions
        #expect(evictionsBefore > 0)
        let corrupt = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        let hits = Atomic<Int>(0)
        let seed = { (thread: Int) in UInt64(thread) &* 0x9E37_79B9_7F4A_7C15 | 1 }
        try withoutActuallyEscaping(
            { (thread: Int) in
                var state = seed(thread)
                var version: UInt64 = 0
                var localReads = 0
                var localHits = 0
                for _ in 0..<operationsPerThread {
                    let draw = Self.next(&state)
                    let id = draw % keys
                    switch draw >> 60 {
                    case 0...9:
                        localReads += 1
                        if let value = engine.get(key(id)) {
                            localHits += 1
                            if Payload.verify(value, key: id) == nil { corrupt.add(1, ordering: .relaxed) }
                        }
                    case 10...14:
                        version += 1
                        let length = [32, 90, 400, 2000][Int(draw >> 20) & 3]
                        _ = engine.put(key(id), Payload.make(key: id, version: version, length: length))
                    default:
                        _ = engine.delete(key(id))
                    }
                }
                reads.add(localReads, ordering: .relaxed)
                hits.add(localHits, ordering: .relaxed)
            },
            do: { body in
                try runThreads(threads, body)
            }
        )
        // Every thread did all its operations: as many reads as its sequence of draws holds.
        let expectedReads = (0..<threads).reduce(0) { total, thread in
            var state = seed(thread)
            return total + (0..<operationsPerThread).filter { _ in Self.next(&state) >> 60 <= 9 }.count
        }
        #expect(reads.load(ordering: .relaxed) == expectedReads)
        #expect(corrupt.load(ordering: .relaxed) == 0)
        // Reads must hit often enough for the payload check to mean something. The 4 MiB budget
        // holds ~1,900 entries even if all were the largest (2 KiB) kind, a tenth of the 20,000
        // keys; with up to half the arena dead copies awaiting reclaim, at least a twentieth of
        // the uniformly drawn reads hit.
        let hitCount = hits.load(ordering: .relaxed)
        #expect(hitCount * 20 >= expectedReads, "\(hitCount) hits of \(expectedReads) reads")
        let stats = try #require(engine.statistics())
        #expect(stats.memoryBytes <= 4 << 20)
        #expect(stats.evictions > evictionsBefore)
    }

    /// A few hot keys rewritten in place (same length) or appended anew (other lengths) in a
    /// tight loop while readers copy them out without locks: a read overlapping a write must
    /// be retried, never returned torn. This is the check of the optimistic read path, so the
    /// loops do nothing but put precomputed values and compare what they read. They run until
    /// the writer has put `puts` values and the reader has compared `comparisons`, both.
    @Test(arguments: [true, false])
    func hotKeysAreNeverReadTorn(sameLength: Bool) throws {
        let engine = try CacheEngine.make(capacityBytes: 4 << 20, stripes: 1)
        let keys = 8
        let versions = 4
        let puts = 20_000
        let comparisons = 20_000
        let values: [[[UInt8]]] = (0..<keys).map { id in
            (0..<versions).map { version in
                let length = sameLength ? 4096 : 2048 + 1024 * version
                return Payload.make(key: UInt64(id), version: UInt64(version), length: length)
            }
        }
        let keyBytes = (0..<keys).map { key(UInt64($0)) }
        for id in 0..<keys {
            _ = engine.put(keyBytes[id], values[id][0])
        }
        let stop = Atomic<Bool>(false)
        let torn = Atomic<Int>(0)
        let missed = Atomic<Int>(0)
        let written = Atomic<Int>(0)
        let compared = Atomic<Int>(0)
        try withoutActuallyEscaping(
            { (thread: Int) in
                var state = UInt64(thread + 1) &* 0x9E37_79B9_7F4A_7C15
                var buffer = [UInt8](repeating: 0, count: 8192)
                var done = 0
                while !stop.load(ordering: .relaxed) {
                    let draw = Self.next(&state)
                    let id = Int(draw % UInt64(keys))
                    if thread == 0 {
                        let value = values[id][Int(draw >> 62)]
                        _ = keyBytes[id].withUnsafeBytes { k in value.withUnsafeBytes { engine.put(key: k, value: $0) }
                        }
                        done += 1
                        if done & 63 == 0 { written.add(64, ordering: .relaxed) }
                        continue
                    }
                    let result = keyBytes[id].withUnsafeBytes { k in
                        buffer.withUnsafeMutableBytes { engine.get(key: k, into: $0) }
                    }
                    // Nothing is deleted, and 8 live entries of at most 5 KiB in 4 MiB are packed, not
                    // evicted, when their segment is reclaimed: every read hits.
                    guard result.status == .ok else {
                        missed.add(1, ordering: .relaxed)
                        continue
                    }
                    let matches = values[id].contains { value in
                        value.count == result.length
                            && value.withUnsafeBytes { v in
                                buffer.withUnsafeBytes { memcmp(v.baseAddress!, $0.baseAddress!, v.count) }
                            } == 0
                    }
                    if matches {
                        done += 1
                        if done & 63 == 0 { compared.add(64, ordering: .relaxed) }
                    } else {
                        torn.add(1, ordering: .relaxed)
                    }
                }
            },
            do: { body in
                try runThreads(2, body) {
                    let finished = waitUntil(seconds: 300) {
                        written.load(ordering: .relaxed) >= puts && compared.load(ordering: .relaxed) >= comparisons
                            || torn.load(ordering: .relaxed) + missed.load(ordering: .relaxed) > 100
                    }
                    stop.store(true, ordering: .relaxed)
                    #expect(
                        finished,
                        "\(written.load(ordering: .relaxed)) puts, \(compared.load(ordering: .relaxed)) reads compared"
                    )
                }
            }
        )
        #expect(torn.load(ordering: .relaxed) == 0)
        #expect(missed.load(ordering: .relaxed) == 0)
        #expect(written.load(ordering: .relaxed) >= puts)
        #expect(compared.load(ordering: .relaxed) >= comparisons)
    }

    /// `close` while other threads are mid-operation: they finish or get `.closed`, never crash.
    /// Until the close, a get right after a successful put of the key hits: nothing is deleted
    /// or expires, and 5000 16-byte entries take a few hundred KiB of the 2 MiB budget, where
    /// reclaiming a segment of dead copies packs the live entries instead of evicting them.
    /// So the close comes once every thread has had 100 such hits, and no get may miss.
    @Test func closeWhileOperationsRun() throws {
        for _ in 0..<5 {
            let engine = try CacheEngine.make(capacityBytes: 2 << 20, stripes: 2)
            let stop = Atomic<Bool>(false)
            let unexpected = Atomic<Int>(0)
            let threadsWithHundredHits = Atomic<Int>(0)
            let threads = 4
            try withoutActuallyEscaping(
                { (thread: Int) in
                    var id = UInt64(thread) << 32
                    var buffer = [UInt8](repeating: 0, count: 16)
                    var hits = 0
                    while !stop.load(ordering: .relaxed) {
                        id += 1
                        let status = engine.put(key(id % 5000), key(id))
                        if status != .ok && status != .closed { unexpected.add(1, ordering: .relaxed) }
                        let result = key(id % 5000).withUnsafeBytes { k in
                            buffer.withUnsafeMutableBytes { engine.get(key: k, into: $0) }
                        }
                        switch result.status {
                        case .ok:
                            // Some thread's value for this key: 8 bytes of an id with the same remainder.
                            let stored = buffer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                            if result.length != 8 || UInt64(littleEndian: stored) % 5000 != id % 5000 {
                                unexpected.add(1, ordering: .relaxed)
                            }
                            hits += 1
                            if hits == 100 { threadsWithHundredHits.add(1, ordering: .relaxed) }
                        case .closed:
                            break
                        default:
                            // A miss after our own successful put, or an error.
                            if status == .ok { unexpected.add(1, ordering: .relaxed) }
                        }
                    }
                },
                do: { body in
                    try runThreads(threads, body) {
                        let ready = waitUntil(seconds: 300) {
                            threadsWithHundredHits.load(ordering: .relaxed) == threads
                        }
                        #expect(ready, "only \(threadsWithHundredHits.load(ordering: .relaxed)) threads had 100 hits")
                        #expect(engine.close() == .ok)
                        // Let every thread see the closed handle before stopping them.
                        _ = waitUntil(seconds: 0.01) { false }
                        stop.store(true, ordering: .relaxed)
                    }
                }
            )
            #expect(unexpected.load(ordering: .relaxed) == 0)
            #expect(engine.put("after", "close") == .closed)
        }
    }
}

/// Runs `body(thread)` on `count` threads and joins them; `whileRunning` runs on the calling
/// thread meanwhile, and must make `body` return (set its stop flag) if `body` waits for one.
func runThreads(_ count: Int, _ body: @escaping (Int) -> Void, whileRunning: () -> Void = {}) throws {
    final class Box: @unchecked Sendable {
        let body: (Int) -> Void
        let thread: Int
        init(_ body: @escaping (Int) -> Void, _ thread: Int) {
            self.body = body
            self.thread = thread
        }
    }
    var handles: [pthread_t] = []
    for thread in 0..<count {
        let box = Unmanaged.passRetained(Box(body, thread)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(
            &handle,
            nil,
            { argument in
                let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
                box.body(box.thread)
                return nil
            },
            box
        )
        try #require(status == 0)
        handles.append(handle)
    }
    whileRunning()
    for handle in handles {
        pthread_join(handle, nil)
    }
}

/// Polls `condition` every millisecond until it holds (true) or `seconds` pass (false).
/// The deadline only keeps a broken engine from hanging the suite; it is not a speed bound.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let deadline = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + seconds
    while !condition() {
        clock_gettime(CLOCK_MONOTONIC, &now)
        if Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 >= deadline { return false }
        usleep(1000)
    }
    return true
}
