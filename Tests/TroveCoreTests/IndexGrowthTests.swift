import Testing
import TroveCore
import TroveTestSupport

/// The index at the budget's boundary: it grows only while that lets the stripe hold more
/// entries, never past half of the stripe's share, and everything it and the policy hold is
/// counted in the budget before it is used.
@Suite(.serialized) struct IndexGrowthTests {
    /// Tiny entries (8-byte keys, empty values) far past what the budget holds: no put fails,
    /// the engine never accounts more than its budget, and the index stays within its limit
    /// while the entries keep the rest.
    @Test(arguments: PolicyKind.allCases)
    func tinyEntriesNeverCrowdOutTheCache(policy: PolicyKind) throws {
        let budget: UInt64 = 4 << 20
        let engine = try CacheEngine.make(capacityBytes: budget, stripes: 2, policy: policy)
        for id in UInt64(0)..<250_000 {
            var key = [UInt8](repeating: 0, count: 8)
            for byte in 0..<8 { key[byte] = UInt8(truncatingIfNeeded: id >> (8 * UInt64(byte))) }
            #expect(engine.put(key, []) == .ok)
            if id % 8192 == 0 {
                let stats = try #require(engine.statistics())
                #expect(stats.memoryBytes <= budget)
            }
        }
        let stats = try #require(engine.statistics())
        #expect(stats.memoryBytes <= budget)
        #expect(stats.items > 50_000, "a 4 MiB cache of 11-byte entries held only \(stats.items)")
        #expect(stats.evictions > 0)
        for stripe in engine.hot.stripes {
            let (tableBytes, policyBytes) = stripe.header.mutex.withLock {
                (stripe.table.byteCount, stripe.policy.metadataBytes)
            }
            #expect(tableBytes + policyBytes <= stripe.metadataLimit)
            #expect(stripe.metadataLimit == Int(budget) / engine.hot.stripes.count / 2)
        }
        #expect(engine.hot.residentBytes() <= Int(budget))
    }

    /// Entries of 16-byte keys and 30-byte values: the index stops growing where memory,
    /// not the table, bounds the entries, so it is well over half full.
    @Test func indexStopsGrowingWhereMemoryBindsTheEntries() throws {
        let engine = try CacheEngine.make(capacityBytes: 8 << 20, stripes: 2, policy: .clock)
        let value = [UInt8](repeating: 7, count: 30)
        for id in UInt64(0)..<600_000 {
            #expect(engine.put(key(id), value) == .ok)
        }
        for stripe in engine.hot.stripes {
            let (occupied, capacity) = stripe.header.mutex.withLock { (stripe.liveItems, stripe.capacity) }
            #expect(occupied * 2 > capacity, "\(occupied) entries in a table of \(capacity) slots")
            #expect(occupied * 5 <= capacity * 4)
        }
    }

    /// Policy state is sized with the table and reserved from the budget before it is used:
    /// what a policy holds never exceeds what its stripe reserved.
    @Test(arguments: PolicyKind.allCases)
    func policyStateStaysWithinItsReservation(policy: PolicyKind) throws {
        let engine = try CacheEngine.make(capacityBytes: 4 << 20, stripes: 2, policy: policy)
        var state: UInt64 = 5
        for _ in 0..<300_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let id = (state >> 33) % 400_000
            if engine.get(key(id)) == nil { _ = engine.put(key(id), Payload.make(key: id, version: 1, length: 40)) }
        }
        for stripe in engine.hot.stripes {
            let (used, reserved) = stripe.header.mutex.withLock { (stripe.policy.metadataBytes, stripe.policyBytes) }
            #expect(used <= reserved)
        }
        let stats = try #require(engine.statistics())
        #expect(stats.memoryBytes <= 4 << 20)
        #expect(stats.evictions > 0)
    }
}
