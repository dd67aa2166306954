import FoundationEssentials
import Testing
import Trove
import TroveTestSupport

@Suite struct CacheTests {
    @Test func bytesStringsAndDataRoundTrip() throws {
        let cache = try Cache()
        try cache.put([1, 2, 3] as [UInt8], [4, 5, 6] as [UInt8])
        #expect(try cache.get([1, 2, 3] as [UInt8]) == [4, 5, 6])
        try cache.put("name", "Ada")
        #expect(try cache.getString("name") == "Ada")
        #expect(try cache.get("name") == Array("Ada".utf8))
        try cache.put(Data("d".utf8), Data([0, 255]))
        #expect(try cache.get(Data("d".utf8)) == [0, 255])
        #expect(try cache.contains("name"))
        #expect(try cache.delete("name"))
        #expect(try !cache.delete("name"))
        #expect(try cache.getString("name") == nil)
    }

    @Test func largeValuesComeBackWhole() throws {
        let cache = try Cache()
        let value = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try cache.put("big", value)
        #expect(try cache.get("big") == value)
    }

    @Test func bufferReadsReportTheirOutcome() throws {
        let cache = try Cache()
        try cache.put("k", "0123456789")
        var small = [UInt8](repeating: 0, count: 4)
        var large = [UInt8](repeating: 0, count: 32)
        let key = Array("k".utf8)
        let tooSmall = try key.withUnsafeBytes { k in try small.withUnsafeMutableBytes { try cache.get(k, into: $0) } }
        let found = try key.withUnsafeBytes { k in try large.withUnsafeMutableBytes { try cache.get(k, into: $0) } }
        #expect(tooSmall == .bufferTooSmall(required: 10))
        #expect(found == .found(length: 10))
        #expect(large.prefix(10) == Array("0123456789".utf8)[...])
        let absent = Array("absent".utf8)
        let missing = try absent.withUnsafeBytes { k in try large.withUnsafeMutableBytes { try cache.get(k, into: $0) }
        }
        #expect(missing == .notFound)
    }

    /// Moved by the test clock, not slept (see EngineBasicsTests.entriesExpireAfterTheirTimeToLive).
    @Test func timeToLiveExpiresEntries() throws {
        try TestClock.exclusive {
            let cache = try Cache()
            try cache.put("session", "token", timeToLive: .seconds(30))
            #expect(try cache.getString("session") == "token")
            TestClock.advance(milliseconds: 29_000)
            #expect(try cache.getString("session") == "token")
            TestClock.advance(milliseconds: 1_000)
            #expect(try cache.getString("session") == nil)
            #expect(try cache.statistics().expirations == 1)
            #expect(throws: TroveError.self) { try cache.put("k", "v", timeToLive: .zero) }
        }
    }

    @Test func errorsCarryTheirCodeAndASentence() throws {
        let emptyKey = #expect(throws: TroveError.self) { try Cache().put([UInt8](), [1] as [UInt8]) }
        #expect(emptyKey?.code == .invalidArgument)
        let longKey = #expect(throws: TroveError.self) {
            try Cache().put([UInt8](repeating: 1, count: 2000), [1] as [UInt8])
        }
        #expect(longKey?.code == .tooBig)
        var options = CacheOptions(capacityBytes: 1000)
        let tiny = #expect(throws: TroveError.self) { try Cache(options: options) }
        #expect(tiny?.code == .invalidArgument)
        #expect(tiny?.message.contains("1 MiB") == true)
        options = CacheOptions()
        options.stripes = 6
        #expect(throws: TroveError.self) { try Cache(options: options) }
        options.stripes = nil
        options.capacityBytes = -5
        #expect(throws: TroveError.self) { try Cache(options: options) }
    }

    @Test func closeEndsTheCache() throws {
        let cache = try Cache()
        try cache.put("k", "v")
        cache.close()
        cache.close()
        let error = #expect(throws: TroveError.self) { try cache.getString("k") }
        #expect(error?.code == .closed)
        #expect(throws: TroveError.self) { try cache.statistics() }
    }

    @Test func statisticsCountWhatHappened() throws {
        let cache = try Cache(options: CacheOptions(capacityBytes: 4 << 20))
        for index in 0..<100 {
            try cache.put("key-\(index)", "value-\(index)")
        }
        _ = try cache.get("key-1")
        _ = try cache.get("missing")
        try cache.delete("key-2")
        let stats = try cache.statistics()
        #expect(stats.puts == 100)
        #expect(stats.hits == 1)
        #expect(stats.misses == 1)
        #expect(stats.deletes == 1)
        #expect(stats.items == 99)
        #expect(stats.hitRatio == 0.5)
        #expect(stats.capacityBytes == 4 << 20)
        #expect(stats.memoryBytes <= stats.capacityBytes)
        try cache.removeAll()
        #expect(try cache.statistics().items == 0)
    }

    @Test(arguments: CacheOptions.Policy.allCases)
    func everyPolicyEvictsWithinTheItemLimit(policy: CacheOptions.Policy) throws {
        var options = CacheOptions()
        options.policy = policy
        options.maximumItems = 500
        options.stripes = 1
        let cache = try Cache(options: options)
        for index in 0..<5000 {
            try cache.put("key-\(index)", "value")
        }
        let stats = try cache.statistics()
        #expect(stats.items == 500)
        #expect(stats.evictions == 4500)
    }

    /// Each task reads back its own keys right after writing them. Nothing can leave the cache
    /// in between: 800 keys of under 30 bytes are ~1/1000 of the 64 MiB default budget, with no
    /// TTL and no deletes, so every read must hit with the value just written (no other task
    /// writes that key), and the counts add up exactly.
    @Test func sharedAcrossTasks() async throws {
        let cache = try Cache()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<2000 {
                        let key = "t\(task)-\(index % 100)"
                        try cache.put(key, "\(key)=\(index)")
                        #expect(try cache.getString(key) == "\(key)=\(index)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let stats = try cache.statistics()
        #expect(stats.hits == 8 * 2000)
        #expect(stats.misses == 0)
        #expect(stats.evictions == 0)
        #expect(stats.items == 8 * 100)
    }
}

@Suite struct CacheBatchTests {
    @Test func manyKeysInvalidationAndMetrics() throws {
        let cache = try Cache()
        for index in 0..<50 {
            try cache.put("item:\(index)", "v\(index)")
        }
        let values = try cache.get(many: [Array("item:3".utf8), Array("nope".utf8), Array("item:49".utf8)])
        #expect(values == [Array("v3".utf8), nil, Array("v49".utf8)])
        #expect(try cache.invalidate(prefix: "item:4") == 11)
        #expect(try cache.invalidate(matching: "item:?") == 9)
        #expect(try cache.statistics().items == 30)
        #expect(throws: TroveError.self) { try cache.invalidate(matching: "[") }
        #expect(try cache.metricsText().contains("trove_items 30\n"))
    }
}
