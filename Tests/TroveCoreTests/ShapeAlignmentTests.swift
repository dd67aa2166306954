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
    /// requests holds, in the same queues.
    @Test func tunerOffersTheSimulationItChose() throws {
        let tuner = WindowTuner(stripeCount: 1, byteBudget: 64 << 20)
        let hashes = WindowTunerTests.hashes(WindowTunerTests.frequencyRequests)
        tuner.recordWrite(hashes[0], stripeCapacity: 200)
        #expect(tuner.withChosenSimulation { _ in true } == nil)
        for hash in hashes.dropFirst() { tuner.recordWrite(hash, stripeCapacity: 200) }
        #expect(tuner.alignmentCount > 0)
        var replay = ShadowCache(tuner.choice)
        for hash in hashes { replay.request(hash, capacity: 200) }
        let requested = Array(Set(hashes))
        let queues = try #require(tuner.withChosenSimulation { queueOf in requested.map { queueOf($0) } })
        let replayed = requested.map { replay.queue(of: $0) }
        let differing = zip(queues, replayed).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(requested.count) keys in another queue than in the replay")
        #expect(queues.compactMap { $0 }.count == replay.count)
        #expect(Set(queues.compactMap { $0 }).count > 1, "the simulation uses more than one queue")
    }

    /// After the tuner switches to a shape whose simulation holds none of the cached keys,
    /// the next inserts walk the stripe and move every one of them to the outgoing queue,
    /// values intact, and main's victims come from there first, unless read meanwhile.
    @Test func aSwitchMovesWhatTheNewShapeWouldNotHoldOutFirst() throws {
        let capacity = 200
        let engine = try CacheEngine.make(
            capacityBytes: 16 << 20,
            maximumItems: UInt64(capacity),
            stripes: 1,
            policy: .adaptive
        )
        let stripe = engine.hot.stripes[0]
        let policy = try #require(stripe.policy as? AdaptivePolicy)
        let cachedIDs = (0..<UInt64(capacity)).map { $0 }
        for id in cachedIDs { #expect(engine.put(key(id), key(id)) == .ok) }
        // Other keys, straight to the tuner: its simulations move on, the cache does not.
        let alignments = policy.tuner.alignmentCount
        for hash in WindowTunerTests.hashes(WindowTunerTests.recencyRequests.map { $0 + 1 << 40 }) {
            policy.tuner.recordWrite(hash, stripeCapacity: capacity)
        }
        #expect(policy.tuner.alignmentCount > alignments)
        let simulationHoldsAny = policy.tuner.withChosenSimulation { queueOf in
            cachedIDs.contains { queueOf(Self.hash($0)) != nil }
        }
        #expect(simulationHoldsAny == false)
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
        let outgoing = stripe.header.mutex.withLock { stripe.liveItems(inQueue: WTinyLFUPolicy.outgoing) }
        #expect(outgoing == stillCached.count)

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

    /// Once a stripe has walked its index after a switch, its sampled entries
    /// sit in the queues where the chosen simulation holds their keys (or in the outgoing
    /// queue): a second walk right after finds little left to move. The cache is sampled
    /// 1 in 16, and the inserts after the request are of unsampled keys, so the simulation
    /// stands still while the stripe walks.
    @Test func anAlignedStripeHoldsSampledEntriesWhereTheSimulationDoes() throws {
        let capacity = 1_000
        let engine = try CacheEngine.make(
            capacityBytes: 1 << 20,
            maximumItems: UInt64(capacity),
            stripes: 1,
            policy: .adaptive
        )
        let stripe = engine.hot.stripes[0]
        let tuner = try #require(stripe.policy as? AdaptivePolicy).tuner
        func request(_ id: UInt64) {
            if engine.get(key(id)) == nil { #expect(engine.put(key(id), key(id)) == .ok) }
        }
        // A skewed workload that fills all three queues, then one that favours another shape,
        // until the tuner switches (a sampled cache aligns only then).
        let skewed = WindowTunerTests.frequencyRequests.map { $0 * 7 }
        var requests = (skewed + WindowTunerTests.recencyRequests.map { $0 * 7 + 1 }).makeIterator()
        for _ in 0..<20_000 { request(requests.next()!) }
        let alignments = tuner.alignmentCount
        while tuner.alignmentCount == alignments, let id = requests.next() { request(id) }
        #expect(tuner.alignmentCount > alignments)
        var fresh = (UInt64(1) << 45)...
        for _ in 0..<100 {
            let id = fresh.first { !tuner.samples(Self.hash($0)) }!
            fresh = (id + 1)...
            #expect(engine.put(key(id), key(id)) == .ok)
        }
        let (sampled, misplaced) = try #require(
            stripe.header.mutex.withLock {
                tuner.withChosenSimulation { queueOf in
                    var sampled = 0
                    let moved = stripe.requeueEntries(inSlots: 0..<Int.max, whereHashBits: tuner.samples) { hash, _ in
                        guard tuner.samples(hash) else { return nil }
                        sampled += 1
                        return queueOf(hash) ?? WTinyLFUPolicy.outgoing
                    }
                    return (sampled, moved)
                }
            }
        )
        #expect(sampled >= 20)
        #expect(
            try #require(misplaced) * 10 <= sampled,
            "\(misplaced ?? -1) of \(sampled) sampled entries were not where the simulation holds them"
        )
    }

    /// A cache simulated whole is realigned between switches too, every few epochs; a
    /// sampled one only on switches.
    @Test func onlyWholeCachesRealignBetweenSwitches() {
        func alignmentsAndSwitches(byteBudget: Int, stripeCapacity: Int) -> (alignments: Int, switches: Int) {
            let tuner = WindowTuner(stripeCount: 1, byteBudget: byteBudget)
            var switches = 0
            var choice = tuner.choice
            for hash in WindowTunerTests.hashes(WindowTunerTests.frequencyRequests) {
                tuner.recordWrite(hash, stripeCapacity: stripeCapacity)
                if tuner.choice != choice { switches += 1 }
                choice = tuner.choice
            }
            return (tuner.alignmentCount, switches)
        }
        let whole = alignmentsAndSwitches(byteBudget: 64 << 20, stripeCapacity: 200)
        #expect(whole.alignments > whole.switches + 100, "\(whole)")
        // A 1 MiB budget keeps the tuner to 64 sampled entries: one key in 16 here.
        let sampled = alignmentsAndSwitches(byteBudget: 1 << 20, stripeCapacity: 1_000)
        #expect(sampled.alignments == sampled.switches, "\(sampled)")
    }
}
