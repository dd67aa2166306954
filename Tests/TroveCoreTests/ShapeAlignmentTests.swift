import Testing
import TroveCore
import TroveTestSupport

/// How the adaptive policy's stripes align their contents with the tuner's new choice of
/// shape: the outgoing queue, the moves into it, and the simulation they follow.
@Suite struct ShapeAlignmentTests {
    static func hash(_ id: UInt64) -> UInt64 {
        key(id).withUnsafeBytes { KeyHash.hash($0) }
    }

    /// The tuner offers its chosen simulation only once a comparison made the choice, and
    /// that simulation holds exactly what a simulation of the chosen shape fed the same
    /// requests holds.
    @Test func tunerOffersTheSimulationItChose() throws {
        let tuner = WindowTuner(stripeCount: 1, byteBudget: 64 << 20)
        let hashes = WindowTunerTests.hashes(WindowTunerTests.recencyRequests)
        tuner.recordWrite(hashes[0], stripeCapacity: 200)
        #expect(tuner.withChosenSimulation { _ in true } == nil)
        for hash in hashes.dropFirst() { tuner.recordWrite(hash, stripeCapacity: 200) }
        #expect(tuner.switchCount > 0)
        var replay = ShadowCache(tuner.choice)
        for hash in hashes { replay.request(hash, capacity: 200) }
        let recent = Set(hashes.suffix(2_000))
        let held = try #require(tuner.withChosenSimulation { holds in recent.filter(holds) })
        let replayed = recent.filter { replay.contains($0) }
        #expect(held.symmetricDifference(replayed).isEmpty, "\(held.count) held, \(replayed.count) in the replay")
        #expect(held.count == replay.count)
    }

    /// After the tuner switches to a shape whose simulation holds none of the cached keys,
    /// the next inserts walk the stripe and move every one of them to the outgoing queue,
    /// values intact, and main's victims come from there first, unless read meanwhile.
    @Test func aSwitchMovesWhatTheNewShapeWouldNotHoldOutFirst() throws {
        let capacity = 200
        let engine = try CacheEngine.make(capacityBytes: 16 << 20, maximumItems: UInt64(capacity), stripes: 1, policy: .adaptive)
        let stripe = engine.hot.stripes[0]
        let policy = try #require(stripe.policy as? AdaptivePolicy)
        let cachedIDs = (0..<UInt64(capacity)).map { $0 }
        for id in cachedIDs { #expect(engine.put(key(id), key(id)) == .ok) }
        // Other keys, straight to the tuner: its simulations move on, the cache does not.
        let switches = policy.tuner.switchCount
        for hash in WindowTunerTests.hashes(WindowTunerTests.recencyRequests.map { $0 + 1 << 40 }) {
            policy.tuner.recordWrite(hash, stripeCapacity: capacity)
        }
        #expect(policy.tuner.switchCount > switches)
        #expect(policy.tuner.withChosenSimulation { holds in cachedIDs.contains { holds(Self.hash($0)) } } == false)
        // A large window: new keys stay in it, and evictions take main's victims directly.
        try #require((policy.tuner.choice.windowFraction ?? 0) >= 0.5, "chose \(policy.tuner.choice)")

        // Enough inserts of new keys (a scan, which moves no score) to walk the table, 64 slots each.
        var newID: UInt64 = 1 << 41
        func insertNewKeys(_ count: Int) {
            for _ in 0..<count {
                #expect(engine.put(key(newID), key(newID)) == .ok)
                newID += 1
            }
        }
        insertNewKeys(40)
        let stillCached = cachedIDs.filter { engine.contains(key($0)) }
        #expect(stillCached.count > capacity / 2)
        #expect(stripe.header.mutex.withLock { stripe.liveItems(inQueue: WTinyLFUPolicy.outgoing) } == stillCached.count)

        let reread = try #require(stillCached.first)
        #expect(engine.get(key(reread)) == key(reread))
        let firstNew = newID
        insertNewKeys(60)
        let survivors = cachedIDs.filter { engine.contains(key($0)) }
        #expect(survivors.count == stillCached.count - 60)
        #expect(survivors.contains(reread))
        #expect((firstNew..<newID).allSatisfy { engine.contains(key($0)) })
        for id in survivors { #expect(engine.get(key(id)) == key(id)) }
    }
}
