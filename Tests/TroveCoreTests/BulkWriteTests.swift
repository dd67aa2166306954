import Testing
import TroveCore
import TroveTestSupport

/// `putMany` and `deleteMany`: each entry's status is the single call's, stripes are
/// grouped without reordering a key's writes, and the cold tier sees what single calls do.
@Suite(.serialized) struct BulkWriteTests {
    @Test func entriesOnManyStripesAreAllWritten() throws {
        // 32 MiB: a smaller budget gets fewer stripes, each at least 32 segments of 64 KiB.
        let engine = try CacheEngine.make(capacityBytes: 32 << 20, stripes: 8)
        let ids = Array(0..<200 as Range<UInt64>)
        let stripes = Set(ids.map { stripe(of: key($0), in: engine) })
        #expect(stripes.count == 8)
        let statuses = engine.putMany(ids.map { (key($0), Payload.make(key: $0, version: 1, length: 40)) })
        #expect(statuses == Array(repeating: .ok, count: ids.count))
        for id in ids {
            #expect(engine.get(key(id)) == Payload.make(key: id, version: 1, length: 40))
        }
        let stats = try #require(engine.statistics())
        #expect(stats.puts == 200)
        #expect(stats.items == 200)
    }

    @Test func theLastWriteOfARepeatedKeyWins() throws {
        let engine = try CacheEngine.make(stripes: 4)
        let statuses = engine.putMany([
            (Array("a".utf8), Array("1".utf8)),
            (Array("b".utf8), Array("1".utf8)),
            (Array("a".utf8), Array("2".utf8)),
            (Array("c".utf8), Array("1".utf8)),
            (Array("a".utf8), Array("a longer third value".utf8)),
            (Array("b".utf8), []),
        ])
        #expect(statuses == Array(repeating: .ok, count: 6))
        #expect(engine.get("a") == "a longer third value")
        #expect(engine.get("b") == "")
        #expect(engine.get("c") == "1")
        let stats = try #require(engine.statistics())
        #expect(stats.items == 3)
        #expect(stats.puts == 6)
    }

    /// Each entry gets what `put` returns for it alone, compared on a second engine.
    @Test func badEntriesGetTheirOwnStatusAndTheOthersAreWritten() throws {
        let engine = try CacheEngine.make(stripes: 4)
        let segment = Int(try #require(engine.statistics()).segmentSize)
        let entries: [([UInt8], [UInt8])] = [
            (Array("first".utf8), Array("1".utf8)),
            ([], Array("no key".utf8)),
            ([UInt8](repeating: 1, count: 1025), [1]),
            ([UInt8](repeating: 2, count: 1024), [2]),
            (Array("entry too big".utf8), [UInt8](repeating: 7, count: segment)),
            (Array("value over the limit".utf8), [UInt8](repeating: 7, count: 1 << 21)),
            (Array("last".utf8), Array("2".utf8)),
        ]
        let statuses = engine.putMany(entries)
        #expect(statuses == [.ok, .invalidArgument, .tooBig, .ok, .tooBig, .tooBig, .ok])
        let single = try CacheEngine.make(stripes: 4)
        #expect(statuses == entries.map { single.put($0.0, $0.1) })
        #expect(engine.get("first") == "1")
        #expect(engine.get([UInt8](repeating: 2, count: 1024)) == [2])
        #expect(engine.get("last") == "2")
        #expect(engine.get("entry too big") == nil)
        #expect(try #require(engine.statistics()).puts == 3)
    }

    /// A stripe holding no segment, with the pool used up by another stripe, borrows one for
    /// its entries as `put` does; the batch's order holds across the borrowing.
    @Test func aStripeWithNoMemoryBorrowsASegment() throws {
        let engine = try CacheEngine.make(capacityBytes: 4 << 20, stripes: 2, policy: .clock)
        #expect(engine.hot.stripes.count == 2)
        let full = (0..<UInt64(4000)).lazy.filter { stripe(of: key($0), in: engine) == 0 }
        let empty = Array((0..<UInt64(4000)).lazy.filter { stripe(of: key($0), in: engine) == 1 }.prefix(3))
        for id in full.prefix(1000) {
            #expect(engine.put(key(id), Payload.make(key: id, version: 0, length: 30_000)) == .ok)
        }
        let stats = try #require(engine.statistics())
        #expect(stats.evictions > 0)
        #expect(stats.memoryBytes + UInt64(stats.segmentSize) > stats.capacityBytes, "no segment is free")
        #expect(engine.hot.stripes[1].header.mutex.withLock { engine.hot.stripes[1].segmentsHeld } == 0)
        let statuses = engine.putMany([
            (key(empty[0]), Array("first".utf8)),
            (key(full.first!), Array("other stripe".utf8)),
            (key(empty[1]), Array("second".utf8)),
            (key(empty[0]), Array("rewritten".utf8)),
            (key(empty[2]), Array("third".utf8)),
        ])
        #expect(statuses == Array(repeating: .ok, count: 5))
        #expect(engine.get(key(empty[0])) == Array("rewritten".utf8))
        #expect(engine.get(key(empty[1])) == Array("second".utf8))
        #expect(engine.get(key(empty[2])) == Array("third".utf8))
        #expect(engine.get(key(full.first!)) == Array("other stripe".utf8))
        #expect(engine.hot.stripes[1].header.mutex.withLock { engine.hot.stripes[1].segmentsHeld } == 1)
    }

    @Test func deletesReportAbsentAndBadKeys() throws {
        let engine = try CacheEngine.make(stripes: 4)
        #expect(engine.put("a", "1") == .ok)
        #expect(engine.put("b", "2") == .ok)
        let statuses = engine.deleteMany([
            Array("a".utf8), Array("absent".utf8), Array("b".utf8), Array("a".utf8), [],
            [UInt8](repeating: 1, count: 1025),
        ])
        #expect(statuses == [.ok, .notFound, .ok, .notFound, .invalidArgument, .tooBig])
        #expect(engine.get("a") == nil)
        #expect(engine.get("b") == nil)
        let stats = try #require(engine.statistics())
        #expect(stats.deletes == 2)
        #expect(stats.items == 0)
    }

    @Test func aClosedEngineWritesNothing() throws {
        let engine = try CacheEngine.make()
        #expect(engine.close() == .ok)
        #expect(engine.putMany([(Array("k".utf8), [1]), ([], [1])]) == [.closed, .invalidArgument])
        #expect(engine.deleteMany([Array("k".utf8), []]) == [.closed, .invalidArgument])
        #expect(engine.putMany([]) == [])
    }

    /// Deleted keys are gone from disk as well as memory, and overwritten ones read back new,
    /// also after the directory is reopened.
    @Test func deletesAndOverwritesReachTheDiskTier() throws {
        let directory = try TemporaryDirectory(prefix: "trove-bulk")
        let ids = Array(0..<UInt64(2000))
        do {
            let engine = try coldEngine(directory.path)
            #expect(engine.putMany(ids.map { (key($0), mixedValue($0, length: 900)) }).allSatisfy { $0 == .ok })
            #expect(engine.flush() == .ok)
            #expect(try #require(engine.statistics()?.cold).items > 1000)
            let deleted = ids.filter { $0 % 3 == 0 }
            #expect(engine.deleteMany(deleted.map { key($0) }) == Array(repeating: .ok, count: deleted.count))
            let rewritten = ids.filter { $0 % 3 == 1 }
            #expect(
                engine.putMany(rewritten.map { (key($0), mixedValue($0, version: 1, length: 900)) }).allSatisfy {
                    $0 == .ok
                }
            )
            expectContents(of: engine, ids: ids)
            #expect(engine.close() == .ok)
        }
        let reopened = try coldEngine(directory.path)
        expectContents(of: reopened, ids: ids)
        #expect(reopened.deleteMany(ids.filter { $0 % 3 == 0 }.map { key($0) }).allSatisfy { $0 == .notFound })
        #expect(reopened.close() == .ok)
    }

    /// After `deletesAndOverwritesReachTheDiskTier`'s writes: ids 0 mod 3 deleted, 1 mod 3 at version 1.
    private func expectContents(of engine: CacheEngine, ids: [UInt64]) {
        for id in ids {
            switch id % 3 {
            case 0: #expect(engine.get(key(id)) == nil, "key \(id)")
            case 1: #expect(engine.get(key(id)) == mixedValue(id, version: 1, length: 900), "key \(id)")
            default: #expect(engine.get(key(id)) == mixedValue(id, length: 900), "key \(id)")
            }
        }
    }

    private func stripe(of key: [UInt8], in engine: CacheEngine) -> Int {
        let hash = key.withUnsafeBytes { KeyHash.hash($0) }
        return Int(hash & UInt64(engine.hot.stripes.count - 1))
    }
}

/// Array forms of the batched writes, for these tests.
extension CacheEngine {
    fileprivate func putMany(_ entries: [([UInt8], [UInt8])], ttlMilliseconds: UInt64 = 0) -> [TroveStatus] {
        withBuffers(entries.map(\.0)) { keys in
            withBuffers(entries.map(\.1)) { values in
                var statuses = [TroveStatus](repeating: .ok, count: entries.count)
                statuses.withUnsafeMutableBufferPointer {
                    putMany(keys: keys, values: values, ttlMilliseconds: ttlMilliseconds, statuses: $0)
                }
                return statuses
            }
        }
    }

    fileprivate func deleteMany(_ keys: [[UInt8]]) -> [TroveStatus] {
        withBuffers(keys) { keys in
            var statuses = [TroveStatus](repeating: .ok, count: keys.count)
            statuses.withUnsafeMutableBufferPointer { deleteMany(keys: keys, statuses: $0) }
            return statuses
        }
    }

    /// Runs `body` with a buffer per array, each holding a copy of it.
    private func withBuffers<Result>(
        _ parts: [[UInt8]],
        _ body: (UnsafeBufferPointer<UnsafeRawBufferPointer>) -> Result
    ) -> Result {
        let copies = parts.map { part in
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: part.count, alignment: 1)
            copy.copyBytes(from: part)
            return UnsafeRawBufferPointer(copy)
        }
        defer { for copy in copies { copy.deallocate() } }
        return copies.withUnsafeBufferPointer(body)
    }
}
