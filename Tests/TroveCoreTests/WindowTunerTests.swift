import Testing
import TroveCore
import TroveTestSupport

/// The adaptive policy's window tuner and the simulations it runs.
@Suite struct WindowTunerTests {
    /// A stream of object ids from `next`, as 64-bit hashes spread the way key hashes are.
    static func hashes(_ ids: [UInt64]) -> [UInt64] {
        ids.map { id in
            var mixed = (id &+ 1) &* 0x9E37_79B9_7F4A_7C15
            mixed = (mixed ^ (mixed >> 31)) &* 0xBF58_476D_1CE4_E5B9
            return mixed ^ (mixed >> 29)
        }
    }

    /// Mostly requests for one of the last 100 new objects, each new object requested soon
    /// after it appears and rarely later: recency pays, a frequency filter turns the newcomers away.
    static let recencyRequests: [UInt64] = {
        var random = TestRandom(state: 3)
        var recent: [UInt64] = []
        var nextID: UInt64 = 0
        return (0..<60_000).map { _ in
            if recent.count < 100 || random.next() % 10 < 3 {
                recent.append(nextID)
                if recent.count > 100 { recent.removeFirst() }
                nextID += 1
                return nextID - 1
            }
            return recent[Int(random.next() % 100)]
        }
    }()

    /// A skewed set of 500 objects interleaved with a scan of one-off objects: the frequency
    /// filter keeps the scan out, a large window lets it in.
    static let frequencyRequests: [UInt64] = {
        var random = TestRandom(state: 5)
        var scan: UInt64 = 1 << 40
        return (0..<60_000).map { index in
            if index % 2 == 0 {
                scan += 1
                return scan
            }
            let uniform = Double(random.next() >> 11) / Double(1 << 53)
            return UInt64(500 * uniform * uniform)
        }
    }()

    /// New objects arrive steadily and each is requested four times, 100 arrivals apart:
    /// longer than a small window holds it, shorter than the cache does. Plain W-TinyLFU
    /// sends the second request through the window's admission duel again, which a newcomer
    /// mostly loses; readmission sends it to main, where the later requests hit.
    static let returningRequests: [UInt64] = {
        var requests: [UInt64] = []
        var scheduled: [Int: [UInt64]] = [:]
        for time in 0..<60_000 {
            let id = UInt64(time)
            for repeatIndex in 1...3 { scheduled[time + 100 * repeatIndex, default: []].append(id) }
            requests.append(id)
            requests.append(contentsOf: scheduled.removeValue(forKey: time) ?? [])
        }
        return requests
    }()

    /// Replays `ids` through a one-stripe engine of `capacity` entries under `policy` and
    /// through a simulation of `shape` fed the engine's key hashes (its sketch sees hashes);
    /// expects both to miss exactly as often.
    static func expectSameMisses(_ ids: [UInt64], capacity: Int, _ policy: PolicyKind, _ shape: AdaptiveShape) throws {
        var shadow = ShadowCache(shape)
        for id in ids { shadow.request(key(id).withUnsafeBytes { KeyHash.hash($0) }, capacity: capacity) }
        let engine = try CacheEngine.make(
            capacityBytes: 16 << 20,
            maximumItems: UInt64(capacity),
            stripes: 1,
            policy: policy
        )
        var misses = 0
        for id in ids where engine.get(key(id)) == nil {
            misses += 1
            #expect(engine.put(key(id), key(id)) == .ok)
        }
        #expect(shadow.misses == misses)
        #expect(shadow.count == capacity)
    }

    /// With the whole cache as its window, the simulation is CLOCK.
    @Test func fullWindowSimulationMissesExactlyAsCLOCK() throws {
        try Self.expectSameMisses(
            Self.recencyRequests,
            capacity: 60,
            .clock,
            AdaptiveShape(windowFraction: 1.0, readmitsReturningKeys: false)
        )
    }

    /// With a 1% window and no readmission, the simulation is the engine's W-TinyLFU.
    /// (Capacity 30 needs the sketch at the core's smallest size and the engine's order of
    /// eviction and counting; 1,000 needs the core's walk to finish the first eviction
    /// after the cache fills.)
    @Test(arguments: [30, 200, 1000])
    func onePercentWindowSimulationMissesExactlyAsWTinyLFU(_ capacity: Int) throws {
        let shape = AdaptiveShape(windowFraction: 0.01, readmitsReturningKeys: false)
        try Self.expectSameMisses(Self.recencyRequests + Self.frequencyRequests, capacity: capacity, .wtinylfu, shape)
    }

    @Test func tunerChoosesALargeWindowWhenRecencyPays() {
        let tuner = WindowTuner(stripeCount: 1, byteBudget: 64 << 20)
        for hash in Self.hashes(Self.recencyRequests) { tuner.recordWrite(hash, stripeCapacity: 200) }
        let window = tuner.choice.windowFraction ?? 0
        #expect(window >= 0.5, "window \(window)")
    }

    @Test func tunerChoosesASmallWindowWhenFrequencyPays() {
        let tuner = WindowTuner(stripeCount: 1, byteBudget: 64 << 20)
        for hash in Self.hashes(Self.frequencyRequests) { tuner.recordWrite(hash, stripeCapacity: 200) }
        // nil is the regret-sized window, which on this workload shrinks too.
        if let window = tuner.choice.windowFraction { #expect(window <= 0.1, "window \(window)") }
    }

    @Test func tunerReadmitsReturningKeysWhenTheyComeBackPastTheWindow() {
        let tuner = WindowTuner(stripeCount: 1, byteBudget: 64 << 20)
        for hash in Self.hashes(Self.returningRequests) { tuner.recordWrite(hash, stripeCapacity: 1_000) }
        #expect(tuner.choice.readmitsReturningKeys, "chose \(tuner.choice)")
        let misses = tuner.simulatedMisses
        let plain = WindowTuner.shapes.firstIndex(of: AdaptiveShape(windowFraction: 0.3, readmitsReturningKeys: false))!
        let readmitting = WindowTuner.shapes.firstIndex(
            of: AdaptiveShape(windowFraction: 0.3, readmitsReturningKeys: true)
        )!
        // A 30% window still turns most second requests away; readmission sends them to main.
        #expect(misses[readmitting] * 2 < misses[plain], "\(misses[readmitting]) vs \(misses[plain])")
        let chosen = WindowTuner.shapes.firstIndex(of: tuner.choice)!
        #expect(misses[chosen] == misses.min(), "chose \(tuner.choice): \(misses)")
    }

    /// Hits recorded by readers between writes are simulated in order with the writes:
    /// a stream split into reads and writes chooses as the same stream of writes does.
    @Test func recordedReadsCountAsRequests() {
        let split = WindowTuner(stripeCount: 1, byteBudget: 64 << 20)
        let writesOnly = WindowTuner(stripeCount: 1, byteBudget: 64 << 20)
        // The stream ends on a write, which simulates the reads before it.
        for (index, hash) in Self.hashes(Self.recencyRequests).prefix(59_998).enumerated() {
            if index % 3 == 0 { split.recordWrite(hash, stripeCapacity: 200) } else { split.recordRead(hash) }
            writesOnly.recordWrite(hash, stripeCapacity: 200)
        }
        #expect(split.choice == writesOnly.choice)
        // Every read reached the simulations: they missed exactly as often.
        #expect(split.simulatedMisses == writesOnly.simulatedMisses)
        #expect(split.simulatedMisses.count == WindowTuner.shapes.count)
    }

    /// A large cache is simulated on a sample of keys, within the stated memory bound.
    @Test func largeCachesAreSampledWithinTheBound() {
        let stripes = 16
        let capacity = 1 << 20
        let tuner = WindowTuner(stripeCount: stripes, byteBudget: 1 << 30)
        let hashes = Self.hashes((0..<400_000).map { UInt64($0) })
        for hash in hashes where tuner.samples(hash) {
            tuner.recordWrite(hash, stripeCapacity: capacity / stripes)
        }
        let sampled = hashes.filter { tuner.samples($0) }.count
        // 1 Mi entries simulated as at most 4,096: one key in 256.
        #expect(sampled > 400_000 / 256 / 2 && sampled < 400_000 / 256 * 2, "\(sampled) keys sampled")
        #expect(tuner.byteCount > 0)
        #expect(tuner.byteCount <= tuner.byteBound(capacity: capacity))
    }
}

/// A small deterministic generator (a 64-bit LCG, high bits out) for building request streams.
struct TestRandom {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}
