import Testing
import TroveCore
import TroveTestSupport

@Suite struct EngineBasicsTests {
    @Test func putGetDeleteContains() throws {
        let engine = try CacheEngine.make()
        #expect(engine.get("absent") == nil)
        #expect(engine.put("alpha", "one") == .ok)
        #expect(engine.get("alpha") == "one")
        #expect(engine.contains("alpha"))
        #expect(engine.delete("alpha") == .ok)
        #expect(engine.delete("alpha") == .notFound)
        #expect(!engine.contains("alpha"))
        #expect(engine.get("alpha") == nil)
        let stats = try #require(engine.statistics())
        #expect(stats.puts == 1)
        #expect(stats.deletes == 1)
        #expect(stats.hits == 1)
        #expect(stats.misses == 2)
        #expect(stats.items == 0)
        #expect(stats.payloadBytes == 0)
    }

    @Test func overwritesInPlaceAndWithOtherLengths() throws {
        let engine = try CacheEngine.make()
        #expect(engine.put("k", "1234") == .ok)
        #expect(engine.put("k", "abcd") == .ok)
        #expect(engine.get("k") == "abcd")
        #expect(engine.put("k", "a much longer value than before") == .ok)
        #expect(engine.get("k") == "a much longer value than before")
        #expect(engine.put("k", "") == .ok)
        #expect(engine.get("k") == "")
        let stats = try #require(engine.statistics())
        #expect(stats.items == 1)
        #expect(stats.payloadBytes == 1)
    }

    @Test func bufferTooSmallReportsTheLengthAndCopiesNothing() throws {
        let engine = try CacheEngine.make()
        #expect(engine.put("k", "0123456789") == .ok)
        var buffer = [UInt8](repeating: 0xEE, count: 4)
        let result = buffer.withUnsafeMutableBytes { out in
            Array("k".utf8).withUnsafeBytes { engine.get(key: $0, into: out) }
        }
        #expect(result == CacheEngine.ReadResult(status: .bufferTooSmall, length: 10))
        #expect(buffer == [0xEE, 0xEE, 0xEE, 0xEE])
    }

    @Test func rejectsBadKeysAndValues() throws {
        let engine = try CacheEngine.make()
        #expect(engine.put([], [1]) == .invalidArgument)
        #expect(engine.put([UInt8](repeating: 1, count: 1025), [1]) == .tooBig)
        #expect(engine.put([UInt8](repeating: 1, count: 1024), [1]) == .ok)
        let segment = Int(try #require(engine.statistics()).segmentSize)
        #expect(engine.put([1], [UInt8](repeating: 7, count: segment)) == .tooBig)
        #expect(engine.put([1], [UInt8](repeating: 7, count: segment - 20)) == .ok)
        #expect(engine.get([1])?.count == segment - 20)
        #expect(engine.delete([]) == .invalidArgument)
        #expect(engine.put("still", "works") == .ok)
    }

    /// Moved by the test clock, not slept: 29 s after its put a 30 s entry is there (unless a
    /// whole second of real time passed), 30 s after it is gone whatever the real clock did.
    @Test func entriesExpireAfterTheirTimeToLive() throws {
        try TestClock.exclusive {
            let engine = try CacheEngine.make()
            #expect(engine.put("short", "lived", ttlMilliseconds: 30_000) == .ok)
            #expect(engine.put("long", "lived", ttlMilliseconds: 3_600_000) == .ok)
            #expect(engine.put("forever", "lived") == .ok)
            #expect(engine.get("short") == "lived")
            TestClock.advance(milliseconds: 29_000)
            #expect(engine.get("short") == "lived")
            #expect(engine.contains("short"))
            TestClock.advance(milliseconds: 1_000)
            #expect(engine.get("short") == nil)
            #expect(!engine.contains("short"))
            #expect(engine.get("long") == "lived")
            #expect(engine.get("forever") == "lived")
            let stats = try #require(engine.statistics())
            #expect(stats.expirations == 1)
            #expect(stats.items == 2)
        }
    }

    @Test func removeAllEmptiesTheCacheAndItStillWorks() throws {
        let engine = try CacheEngine.make()
        for id in 0..<5000 as Range<UInt64> {
            #expect(engine.put(key(id), Payload.make(key: id, version: 0, length: 64)) == .ok)
        }
        #expect(engine.removeAll() == .ok)
        let stats = try #require(engine.statistics())
        #expect(stats.items == 0)
        #expect(engine.get(key(7)) == nil)
        #expect(engine.put(key(7), Payload.make(key: 7, version: 1, length: 64)) == .ok)
        #expect(engine.get(key(7)).flatMap { Payload.verify($0, key: 7) } == 1)
    }

    @Test func closedEngineRefusesEverything() throws {
        let engine = try CacheEngine.make()
        #expect(engine.put("k", "v") == .ok)
        #expect(engine.close() == .ok)
        #expect(engine.close() == .closed)
        #expect(engine.put("k", "v") == .closed)
        #expect(engine.delete("k") == .closed)
        #expect(Array("k".utf8).withUnsafeBytes { engine.contains(key: $0) } == .closed)
        #expect(engine.statistics() == nil)
    }

    /// A closed engine's operation cells go to the next engine opened; calls that still reach
    /// the closed one (as a call racing with `trove_close` may) count nothing there and do not
    /// hold up the next engine's close.
    @Test func callsOnAClosedEngineLeaveTheNextOneAlone() throws {
        let closed = try CacheEngine.make()
        #expect(closed.put("k", "v") == .ok)
        #expect(closed.close() == .ok)
        let next = try CacheEngine.make()
        #expect(next.put("k", "v") == .ok)
        for _ in 0..<100 {
            #expect(closed.get(Array("k".utf8)) == nil)
            #expect(closed.put("k", "v") == .closed)
        }
        let stats = try #require(next.statistics())
        #expect(stats.puts == 1)
        #expect(stats.hits == 0 && stats.misses == 0)
        #expect(next.close() == .ok)
    }

    @Test func indexGrowsAndEveryKeyStaysReachable() throws {
        let engine = try CacheEngine.make(capacityBytes: 64 << 20, stripes: 2)
        let count: UInt64 = 200_000
        for id in 0..<count {
            #expect(engine.put(key(id), key(id &* 3)) == .ok)
        }
        for id in 0..<count {
            #expect(engine.get(key(id)) == key(id &* 3))
        }
        let stats = try #require(engine.statistics())
        #expect(stats.items == count)
        #expect(stats.evictions == 0)
        // Tables grow by half at 60% load, so they are at least 40% full: 8-byte slots cost at
        // most 20 bytes per entry. The budget counts exactly the tables and the policies' state.
        let (tableBytes, policyBytes) = engine.hot.stripes.reduce((0, 0)) { total, stripe in
            stripe.header.mutex.withLock { (total.0 + stripe.table.byteCount, total.1 + stripe.policyBytes) }
        }
        #expect(Double(tableBytes) / Double(count) <= 20)
        #expect(stats.indexBytes == UInt64(tableBytes + policyBytes))
    }
}

@Suite struct InvalidationTests {
    @Test func prefixAndPatternRemoveExactlyTheMatchingKeys() throws {
        let engine = try CacheEngine.make()
        for id in 0..<300 {
            #expect(engine.put("user:\(id):profile", "p") == .ok)
            #expect(engine.put("user:\(id):posts", "q") == .ok)
            #expect(engine.put("post:\(id)", "r") == .ok)
        }
        let prefix = Array("user:1".utf8)
        let (status, removed) = prefix.withUnsafeBytes { engine.invalidate(prefix: $0) }
        #expect(status == .ok)
        // user:1, user:10-19, user:100-199, each with two keys.
        #expect(removed == 2 * (1 + 10 + 100))
        #expect(!engine.contains("user:150:posts"))
        #expect(engine.contains("user:2:posts"))
        let pattern = try KeyPattern(Array("user:*:posts".utf8))
        #expect(engine.invalidate(matching: pattern).removed == 300 - 111)
        #expect(engine.contains("user:2:profile"))
        #expect(!engine.contains("user:2:posts"))
        #expect(engine.contains("post:7"))
        let stats = try #require(engine.statistics())
        #expect(stats.items == UInt64(900 - 222 - 189))
        #expect(stats.deletes == UInt64(222 + 189))
        let everything = [UInt8]().withUnsafeBytes { engine.invalidate(prefix: $0) }
        #expect(everything.removed == 900 - 222 - 189)
    }

    @Test func metricsTextIsPrometheusFormat() throws {
        let engine = try CacheEngine.make()
        _ = engine.put("k", "v")
        _ = engine.get("k")
        let text = MetricsText.render(try #require(engine.statistics()))
        #expect(text.contains("# TYPE trove_hits_total counter\ntrove_hits_total 1\n"))
        #expect(text.contains("trove_items 1\n"))
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count == 2, "sample line \(line)")
        }
    }
}
