import FoundationEssentials
import Synchronization
import Testing
import Trove
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CodableTests {
    struct Goal: Codable, Equatable {
        var id: Int
        var title: String
        var done: Bool
    }

    /// Stores values reversed, to show a codec other than JSON is the one used.
    struct ReversingCodec: CacheCodec {
        func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
            Array(try JSONCacheCodec().encode(value).reversed())
        }

        func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
            try JSONCacheCodec().decode(type, from: bytes.reversed())
        }
    }

    @Test func codableValuesRoundTripAsJSON() throws {
        let cache = try Cache()
        let goal = Goal(id: 1, title: "Ship", done: false)
        try cache.put("goal:1", value: goal)
        #expect(try cache.get("goal:1", as: Goal.self) == goal)
        #expect(try cache.getString("goal:1")?.contains("\"title\":\"Ship\"") == true)
        #expect(try cache.get("goal:2", as: Goal.self) == nil)
    }

    @Test func anotherCodecIsUsedBothWays() throws {
        let cache = try Cache()
        let goal = Goal(id: 2, title: "Rest", done: true)
        try cache.put("goal:2", value: goal, codec: ReversingCodec())
        #expect(try cache.get("goal:2", as: Goal.self, codec: ReversingCodec()) == goal)
        #expect(throws: (any Error).self) { try cache.get("goal:2", as: Goal.self) }
    }

    @Test func bytesThatAreNotTheTypeThrowAndStayCached() throws {
        let cache = try Cache()
        try cache.put("goal:3", "not json")
        #expect(throws: DecodingError.self) { try cache.get("goal:3", as: Goal.self) }
        #expect(try cache.getString("goal:3") == "not json")
    }

    @Test func loadersOfCodableValuesLoadOnceAndCache() async throws {
        let cache = try Cache()
        let calls = Atomic<Int>(0)
        let goal = Goal(id: 4, title: "Load", done: false)
        for _ in 0..<3 {
            let loaded = try cache.value(forKey: "goal:4", as: Goal.self) { () throws -> Goal? in
                calls.add(1, ordering: .relaxed)
                return goal
            }
            #expect(loaded == goal)
        }
        #expect(calls.load(ordering: .relaxed) == 1)
        let asyncLoaded = try await cache.value(forKey: "goal:5", as: Goal.self) { () async throws -> Goal? in
            Goal(id: 5, title: "Async", done: true)
        }
        #expect(asyncLoaded?.title == "Async")
        #expect(try cache.get("goal:5", as: Goal.self)?.id == 5)
        #expect(try cache.value(forKey: "goal:6", as: Goal.self) { () throws -> Goal? in nil } == nil)
    }

    /// Tags reach Codable values put or loaded: invalidating one tag removes exactly its entries.
    @Test func codableValuesCarryTheirTags() async throws {
        let cache = try Cache()
        try cache.put("goal:7", value: Goal(id: 7, title: "A", done: false), tags: ["user:1"])
        _ = try cache.value(forKey: "goal:8", as: Goal.self, tags: ["user:1", "list"]) { () throws -> Goal? in
            Goal(id: 8, title: "B", done: false)
        }
        _ = try await cache.value(forKey: "goal:9", as: Goal.self, tags: ["user:2"]) { () async throws -> Goal? in
            Goal(id: 9, title: "C", done: false)
        }
        #expect(try cache.invalidate(tag: "user:1") == 2)
        #expect(try cache.get("goal:7", as: Goal.self) == nil)
        #expect(try cache.get("goal:8", as: Goal.self) == nil)
        #expect(try cache.get("goal:9", as: Goal.self)?.id == 9)
        #expect(try cache.invalidate(tag: "user:2") == 1)
    }

    /// Codable loaders refresh ahead, synchronous and async alike: after the interval a read
    /// returns the cached value at once, and one background reload replaces it.
    @Test func codableLoadersRefreshAhead() async throws {
        let calls = Atomic<Int>(0)
        let load: @Sendable () -> Goal? = {
            let call = calls.add(1, ordering: .relaxed).newValue
            return Goal(id: 10, title: "v\(call)", done: false)
        }
        try TestClock.exclusive {
            let cache = try Cache()
            let read = { try cache.value(forKey: "goal:10", as: Goal.self, refreshAfter: .seconds(10), loader: load) }
            #expect(try read()?.title == "v1")
            TestClock.advance(milliseconds: 11_000)
            #expect(try read()?.title == "v1")
            var reloaded = false
            for _ in 0..<30_000 where !reloaded {
                reloaded = try cache.get("goal:10", as: Goal.self)?.title == "v2"
                if !reloaded { usleep(1_000) }
            }
            #expect(reloaded && calls.load(ordering: .relaxed) == 2)
        }
        let cache = try Cache()
        let loaded = try await cache.value(forKey: "goal:11", as: Goal.self, refreshAfter: .seconds(60)) {
            () async throws -> Goal? in Goal(id: 11, title: "async", done: true)
        }
        #expect(loaded?.title == "async")
        #expect(try cache.get("goal:11", as: Goal.self) == loaded)
    }
}
