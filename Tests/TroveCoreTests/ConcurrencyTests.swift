import Synchronization
import Testing
import TroveCore
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ConcurrencyTests {
    /// Eight threads mix gets, puts and deletes on overlapping keys with eviction running.
    /// Every value read must be an intact payload for the key it was read under.
    @Test func mixedOperationsNeverTearOrMisplaceValues() throws {
        let engine = try CacheEngine.make(capacityBytes: 4 << 20, stripes: 4, policy: .s3fifo)
        let threads = 8
        let keys: UInt64 = 20_000
        // Fill past the budget first, so eviction runs throughout however slowly the threads go (ThreadSanitizer).
        for id in 0..<keys {
            _ = engine.put(key(id), Payload.make(key: id, version: 0, length: 400))
        }
        let evictionsBefore = try #require(engine.statistics()).evictions
        #expect(evictionsBefore > 0)
        let deadline = Atomic<Bool>(false)
        let corrupt = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        let hits = Atomic<Int>(0)
        try withoutActuallyEscaping({ (thread: Int) in
            var state = UInt64(thread) &* 0x9E37_79B9_7F4A_7C15 | 1
            var version: UInt64 = 0
            var localReads = 0
            var localHits = 0
            while !deadline.load(ordering: .relaxed) {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let id = state % keys
                switch state >> 60 {
                case 0...9:
                    localReads += 1
                    if let value = engine.get(key(id)) {
                        localHits += 1
                        if Payload.verify(value, key: id) == nil { corrupt.add(1, ordering: .relaxed) }
                    }
                case 10...14:
                    version += 1
                    let length = [32, 90, 400, 2000][Int(state >> 20) & 3]
                    _ = engine.put(key(id), Payload.make(key: id, version: version, length: length))
                default:
                    _ = engine.delete(key(id))
                }
            }
            reads.add(localReads, ordering: .relaxed)
            hits.add(localHits, ordering: .relaxed)
        }) { body in
            try runThreads(threads, seconds: 3, stop: deadline, body)
        }
        #expect(corrupt.load(ordering: .relaxed) == 0)
        #expect(reads.load(ordering: .relaxed) > 1000)
        #expect(hits.load(ordering: .relaxed) > 100)
        let stats = try #require(engine.statistics())
        #expect(stats.memoryBytes <= 4 << 20)
        #expect(stats.evictions > evictionsBefore)
    }

    /// A few hot keys rewritten in place (same length) or appended anew (other lengths) in a
    /// tight loop while readers copy them out without locks: a read overlapping a write must
    /// be retried, never returned torn. This is the check of the optimistic read path, so the
    /// loops do nothing but put precomputed values and compare what they read.
    @Test(arguments: [true, false])
    func hotKeysAreNeverReadTorn(sameLength: Bool) throws {
        let engine = try CacheEngine.make(capacityBytes: 4 << 20, stripes: 1)
        let keys = 8
        let versions = 4
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
        let compared = Atomic<Int>(0)
        try withoutActuallyEscaping({ (thread: Int) in
            var state = UInt64(thread + 1) &* 0x9E37_79B9_7F4A_7C15
            var buffer = [UInt8](repeating: 0, count: 8192)
            var good = 0
            while !stop.load(ordering: .relaxed) {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let id = Int(state % UInt64(keys))
                if thread == 0 {
                    let value = values[id][Int(state >> 62)]
                    _ = keyBytes[id].withUnsafeBytes { k in value.withUnsafeBytes { engine.put(key: k, value: $0) } }
                    continue
                }
                let result = keyBytes[id].withUnsafeBytes { k in buffer.withUnsafeMutableBytes { engine.get(key: k, into: $0) } }
                guard result.status == .ok else { continue }
                let matches = values[id].contains { value in
                    value.count == result.length
                        && value.withUnsafeBytes { v in buffer.withUnsafeBytes { memcmp(v.baseAddress!, $0.baseAddress!, v.count) } } == 0
                }
                if matches {
                    good += 1
                } else {
                    torn.add(1, ordering: .relaxed)
                }
            }
            compared.add(good, ordering: .relaxed)
        }) { body in
            try runThreads(2, seconds: 1.5, stop: stop, body)
        }
        #expect(torn.load(ordering: .relaxed) == 0)
        #expect(compared.load(ordering: .relaxed) > 10_000)
    }

    /// `close` while other threads are mid-operation: they finish or get `.closed`, never crash.
    @Test func closeWhileOperationsRun() throws {
        for _ in 0..<5 {
            let engine = try CacheEngine.make(capacityBytes: 2 << 20, stripes: 2)
            let stop = Atomic<Bool>(false)
            let unexpected = Atomic<Int>(0)
            try withoutActuallyEscaping({ (thread: Int) in
                var id = UInt64(thread) << 32
                while !stop.load(ordering: .relaxed) {
                    id += 1
                    let status = engine.put(key(id % 5000), key(id))
                    if status != .ok && status != .closed { unexpected.add(1, ordering: .relaxed) }
                    _ = engine.get(key(id % 5000))
                }
            }) { body in
                try runThreads(4, seconds: 0.05, stop: stop, body) {
                    #expect(engine.close() == .ok)
                }
            }
            #expect(unexpected.load(ordering: .relaxed) == 0)
            #expect(engine.put("after", "close") == .closed)
        }
    }
}

/// Runs `body(thread)` on `count` threads for `seconds`, then sets `stop` and joins them.
/// `midway` runs on the calling thread halfway through.
func runThreads(
    _ count: Int,
    seconds: Double,
    stop: borrowing Atomic<Bool>,
    _ body: @escaping (Int) -> Void,
    midway: () -> Void = {}
) throws {
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
        let status = pthread_create(&handle, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body(box.thread)
            return nil
        }, box)
        try #require(status == 0)
        handles.append(handle)
    }
    usleep(UInt32(seconds * 500_000))
    midway()
    usleep(UInt32(seconds * 500_000))
    stop.store(true, ordering: .relaxed)
    for handle in handles {
        pthread_join(handle, nil)
    }
}
