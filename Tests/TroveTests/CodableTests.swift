import FoundationEssentials
import Synchronization
import Testing
import Trove

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
}
