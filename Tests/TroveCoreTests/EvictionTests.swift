import Testing
import TroveCore
import TroveTestSupport

@Suite(.serialized) struct EvictionTests {
    /// Mixed value sizes far beyond the budget: the engine's accounting and the pages its
    /// mappings hold in RAM both stay within it, and whatever is still cached is intact.
    /// (The process's resident set is checked the same way by `trove-bench budget`, in a
    /// process of its own, since tests running in parallel here allocate too.)
    @Test(arguments: PolicyKind.allCases)
    func writeHeavyWorkloadStaysWithinBudget(policy: PolicyKind) throws {
        let budget: UInt64 = 32 << 20
        let engine = try CacheEngine.make(capacityBytes: budget, stripes: 8, policy: policy)
        var state: UInt64 = 99
        var written: UInt64 = 0
        var id: UInt64 = 0
        while written < 8 * budget {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = [32, 100, 1000, 4000, 20_000][Int(state >> 61) % 5]
            #expect(engine.put(key(id), Payload.make(key: id, version: 1, length: length)) == .ok)
            written += UInt64(length)
            id += 1
            if id % 4096 == 0 {
                let stats = try #require(engine.statistics())
                #expect(stats.memoryBytes <= budget)
            }
        }
        let stats = try #require(engine.statistics())
        #expect(stats.memoryBytes <= budget)
        #expect(stats.evictions > 0)
        #expect(stats.payloadBytes > budget / 2, "the budget should be mostly payload, got \(stats.payloadBytes)")
        let resident = engine.hot.residentBytes()
        #expect(resident <= Int(budget), "the engine's mappings hold \(resident) bytes for a \(budget)-byte budget")
        var present = 0
        for check in 0..<id {
            if let value = engine.get(key(check)) {
                #expect(Payload.verify(value, key: check) == 1)
                present += 1
            }
        }
        #expect(UInt64(present) == stats.items)
    }

    @Test(arguments: PolicyKind.allCases)
    func entryLimitIsHonoured(policy: PolicyKind) throws {
        let engine = try CacheEngine.make(capacityBytes: 16 << 20, maximumItems: 1000, stripes: 1, policy: policy)
        for id in 0..<10_000 as Range<UInt64> {
            #expect(engine.put(key(id), key(id)) == .ok)
        }
        let stats = try #require(engine.statistics())
        #expect(stats.items == 1000)
        #expect(stats.evictions == 9000)
    }

    @Test func clockGivesReadEntriesASecondChance() throws {
        let engine = try CacheEngine.make(capacityBytes: 16 << 20, maximumItems: 4, stripes: 1, policy: .clock)
        for id in 0..<4 as Range<UInt64> { _ = engine.put(key(id), key(id)) }
        _ = engine.get(key(0))
        _ = engine.put(key(4), key(4))
        // 0 was read, so 1 (the oldest unread) goes.
        #expect(engine.contains(key(0)))
        #expect(!engine.contains(key(1)))
        #expect(engine.contains(key(4)))
    }

    /// A one-pass scan over many keys must not flush a small set that is read over and over.
    @Test func s3fifoResistsScans() throws {
        let engine = try CacheEngine.make(capacityBytes: 16 << 20, maximumItems: 100, stripes: 1, policy: .s3fifo)
        let hot = (0..<50 as Range<UInt64>).map { $0 }
        for round in 0..<4 {
            for id in hot where engine.get(key(id)) == nil {
                _ = engine.put(key(id), key(id))
            }
            _ = round
        }
        for id in 1000..<6000 as Range<UInt64> {
            if engine.get(key(id)) == nil { _ = engine.put(key(id), key(id)) }
            if id % 10 == 0 {
                for hotID in hot where engine.get(key(hotID)) == nil { _ = engine.put(key(hotID), key(hotID)) }
            }
        }
        let retained = hot.filter { engine.contains(key($0)) }.count
        #expect(retained == hot.count, "S3-FIFO kept \(retained) of \(hot.count) hot keys through a scan")
    }

    /// A long skewed workload through an entry-limited adaptive cache: its ghosts, sketch and
    /// model never outgrow what the stripe reserved for them, the tuner never outgrows what
    /// the hot tier reserved for it, and both reservations are counted in the budget.
    @Test func adaptivePolicyStateStaysWithinItsBound() throws {
        let capacity = 5000
        let engine = try CacheEngine.make(
            capacityBytes: 64 << 20,
            maximumItems: UInt64(capacity),
            stripes: 1,
            policy: .adaptive
        )
        let stripe = engine.hot.stripes[0]
        let policy = try #require(stripe.policy as? AdaptivePolicy)
        let reserved = stripe.header.mutex.withLock { stripe.policyBytes }
        #expect(reserved == policy.metadataBytes(forEntries: capacity))
        #expect(
            reserved < 30 * capacity + AdaptivePolicy.modelByteCount,
            "reserved \(reserved) bytes for \(capacity) entries"
        )
        var state: UInt64 = 7
        for request in 0..<1_000_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let uniform = Double(state >> 11) / Double(1 << 53)
            let id = UInt64(200_000 * uniform * uniform) + UInt64(request / 250_000) * 50_000
            if engine.get(key(id)) == nil { _ = engine.put(key(id), key(id)) }
            if request % 100_000 == 0 {
                #expect(stripe.header.mutex.withLock { stripe.policy.metadataBytes } <= reserved)
                #expect(policy.tuner.byteCount <= policy.tuner.reservedBytes)
            }
        }
        #expect(stripe.header.mutex.withLock { stripe.policy.metadataBytes } <= reserved)
        let stats = try #require(engine.statistics())
        #expect(stats.indexBytes >= UInt64(reserved + policy.tuner.reservedBytes))
        #expect(stats.items == UInt64(capacity))
        #expect(stats.predictions.checked > 10_000)
    }
}
