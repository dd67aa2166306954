import Glibc
import Synchronization

/// Chooses the adaptive policy's shape (`AdaptiveShape`: its window's size and whether
/// returning keys skip the window) by simulating several side by side on a sample of the
/// keys, as miniature simulations do (Waldspurger et al., ATC 2017).
///
/// One tuner serves every stripe of a hot tier. It runs a `ShadowCache` for each of
/// `shapes`, all fed the same sampled requests. Hits (from lock-free readers) and writes
/// (from stripes) of sampled keys go into one lossy ring; a writer that finds the tuner's
/// mutex free drains the ring through the simulations, so a single-threaded stream is
/// simulated in order and no thread ever waits for the tuner. Every epoch (a quarter of
/// the sampled capacity in requests) each simulation's misses join a slowly decaying
/// score, and the shape with the lowest score becomes the one every stripe takes; when its
/// window is regret-sized, each stripe sizes its window by its own regret, at full scale.
/// On a change of shape, and every `realignmentEpochs` epochs in between, stripes align
/// their contents with the chosen shape's simulation (`withChosenSimulation`), so the cache
/// does not first have to turn over what the old shape chose, nor drift from the shape's
/// decisions where the two differ (the model's tie-break, requests the ring lost).
///
/// Sampling keeps a key when the top bits of its hash, one per halving, are zero: the
/// sampled capacity is the capacity halved until it is at most `sampledEntryLimit`, so
/// small caches are simulated whole and large ones at a rate that keeps the cost bounded.
/// A reader pays one relaxed load and a test for an unsampled key. The top bits are the
/// ones an index slot keeps (see `Slot`), so a stripe can tell sampled entries from its
/// index alone, and up to 1 in 1,024 they stay clear of the bits the frequency sketches use.
///
/// Memory: sixteen simulations of at most `sampledEntryLimit` entries (about 34 bytes per
/// entry each, with its sketch, 16 more for a readmitting one's ghost, 32 for a regret-sized
/// one's) and a ring of twice that many words: about 680 bytes per sampled entry. The
/// limit is 4,096 entries (about 2.7 MiB in all) for budgets of 64 MiB and more and
/// shrinks with smaller ones, so that the tuner stays near 1/20 of the budget; never
/// more than `byteBound(capacity:)`.
package final class WindowTuner: SharedPolicyState {
    /// The fixed window shares simulated beside the regret-sized one (1.0 is CLOCK).
    package static let fractions: [Double] = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0]
    /// Every shape simulated: each fixed window and the regret-sized one, then those whose
    /// window is at most 30% (regret keeps its own under 40%) again with readmission of
    /// returning keys. Readmitting past a larger window chose worse on held-out cache
    /// sizes of the traces: there, main is too small to take the returning keys.
    package static let shapes: [AdaptiveShape] = {
        let windows: [Double?] = fractions + [nil]
        let plain = windows.map { AdaptiveShape(windowFraction: $0, readmitsReturningKeys: false) }
        let readmitting = windows.filter { ($0 ?? 0) <= 0.3 }.map {
            AdaptiveShape(windowFraction: $0, readmitsReturningKeys: true)
        }
        return plain + readmitting
    }()
    /// Where a tuner starts: the regret-sized window, without readmission.
    private static let initialChoice = fractions.count
    /// The most entries each simulation holds: 4,096 at most, and few enough that the
    /// tuner's memory stays within about 1/20 of the memory budget (but 64 at least).
    let sampledEntryLimit: Int
    /// How much of a score survives each epoch: a half-life of some 35 capacities of
    /// requests, long enough to tell shapes a fraction of a percent apart, short enough to
    /// follow a change of the best one (measurements in docs/policies.md).
    static let scoreDecay = 0.995
    /// Epochs between alignments while the choice stays, in caches simulated whole: every
    /// capacity's worth of requests, which beat aligning only on switches; sampled caches
    /// realign only on switches, where the walks cost more than they win (docs/policies.md).
    static let realignmentEpochs = 4
    private let ringSize: Int

    private struct State {
        var shadows: [ShadowCache] = []
        var scores: [Double] = []
        var missesAtEpochStart: [Int] = []
        var requestsThisEpoch = 0
        var sampledCapacity = 0
        var sampleShift = -1
        var chosen = 0
        /// Whether `chosen` was picked by comparing full simulations (not the start after
        /// a change of sampling rate), so that a stripe may align with its simulation.
        var chosenOnRecord = false
        /// Epochs since the simulations (re)started.
        var epochs = 0
        var ringTail = 0
    }

    /// Stripes sharing the tuner; each counts an equal share of its memory against the budget.
    package let stripeCount: Int
    private let mutexMemory: UnsafeMutableRawPointer
    private let mutex: PThreadMutex
    private let state = UncheckedStorage(State())
    private let sampleMask = Atomic<UInt64>(0)
    /// The index in `shapes` of the choice, for readers to load without a lock.
    private let chosenShape = Atomic<Int>(WindowTuner.initialChoice)
    private let alignments = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    private let ringHead = Atomic<Int>(0)
    private let ring: UnsafeMutablePointer<UInt64>

    /// A tuner for a hot tier of `stripeCount` stripes and a memory budget of `byteBudget` bytes.
    package init(stripeCount: Int, byteBudget: Int) {
        self.stripeCount = stripeCount
        sampledEntryLimit = min(max(byteBudget / 20 / 700, 64), 4096).powerOfTwoAtMost
        ringSize = 2 * sampledEntryLimit
        mutexMemory = .allocate(byteCount: MemoryLayout<pthread_mutex_t>.stride, alignment: 16)
        mutex = PThreadMutex(initializingAt: mutexMemory)
        ring = .allocate(capacity: ringSize)
        ring.initialize(repeating: 0, count: ringSize)
    }

    deinit {
        state.release()
        mutex.destroy()
        mutexMemory.deallocate()
        ring.deallocate()
    }

    /// The most memory the tuner takes for a hot tier of any size: what the hot tier
    /// reserves from its budget for it.
    package var reservedBytes: Int { byteBound(capacity: sampledEntryLimit) }

    /// The most memory the tuner takes for a hot tier of `capacity` entries.
    package func byteBound(capacity: Int) -> Int {
        let sampled = min(max(capacity, 16), sampledEntryLimit).nextPowerOfTwo
        // Node arrays and the free list at most double past the sampled capacity; the
        // index is at most half full; one sketch word per entry.
        let perSimulation = 2 * sampled * (18 + 4) + 4 * sampled * 4 + 8 * sampled
        let ghostTable = GhostTable.byteCount(capacity: sampled)
        let ghostTables = WindowTuner.shapes.reduce(0) { tables, shape in
            tables + (shape.windowFraction == nil ? 2 : shape.readmitsReturningKeys ? 1 : 0)
        }
        return WindowTuner.shapes.count * perSimulation + ghostTables * ghostTable + ringSize * 8
    }

    /// The shape every stripe should take now.
    package var choice: AdaptiveShape {
        WindowTuner.shapes[chosenShape.load(ordering: .relaxed)]
    }

    /// How many times stripes were asked to align with the chosen simulation: on every
    /// change of shape and every `realignmentEpochs` epochs. A stripe that sees it move
    /// starts aligning (see `AdaptivePolicy`).
    package var alignmentCount: Int { alignments.load(ordering: .relaxed) }

    /// Runs `body` with a function that tells in which of the core's queues the chosen
    /// shape's simulation holds a key (`nil`: not held; only meaningful for sampled keys),
    /// under the tuner's lock, so simulation waits meanwhile.
    ///
    /// - Returns: `body`'s result, or `nil` without running it when another thread holds
    ///   the lock (the caller never waits: try again later) or when the choice was not made
    ///   by comparing simulations, as after a change of sampling rate restarted them.
    package func withChosenSimulation<Result>(_ body: (_ queueOf: (UInt64) -> Int?) -> Result) -> Result? {
        guard mutex.tryLock() else { return nil }
        defer { mutex.unlock() }
        guard state.value.chosenOnRecord else { return nil }
        let simulation = state.value.shadows[state.value.chosen]
        return body { simulation.queue(of: $0) }
    }

    /// The bytes the tuner's state occupied when last measured (at the end of an epoch).
    package var byteCount: Int { bytes.load(ordering: .relaxed) }

    /// Each simulation's misses so far, in the order of `shapes`; waits for a writer draining the ring.
    package var simulatedMisses: [Int] {
        mutex.lock()
        defer { mutex.unlock() }
        return state.value.shadows.map(\.misses)
    }

    /// Whether requests for `hash` are simulated.
    @inline(__always)
    package func samples(_ hash: UInt64) -> Bool {
        hash & sampleMask.load(ordering: .relaxed) == 0
    }

    /// A key was read (a hit); called by readers, without any lock. Unsampled keys cost
    /// one relaxed load and a test.
    @inline(__always)
    package func recordRead(_ hash: UInt64) {
        if samples(hash) { append(hash) }
    }

    /// Puts a sampled request in the ring, overwriting the oldest if the ring is full.
    private func append(_ hash: UInt64) {
        guard hash != 0 else { return }
        let position = ringHead.wrappingAdd(1, ordering: .relaxed).oldValue
        AtomicWords.storeRelaxed(hash, ring + (position & (ringSize - 1)))
    }

    /// A sampled key was written, in a stripe of `stripeCapacity` entries; simulates every
    /// request recorded so far unless another writer is doing so.
    package func recordWrite(_ hash: UInt64, stripeCapacity: Int) {
        append(hash)
        guard mutex.tryLock() else { return }
        defer { mutex.unlock() }
        resize(forCapacity: stripeCapacity * stripeCount)
        drainRing()
    }

    private func resize(forCapacity capacity: Int) {
        var shift = 0
        while capacity >> shift > sampledEntryLimit { shift += 1 }
        let sampledCapacity = max(capacity >> shift, 1)
        guard shift != state.value.sampleShift else {
            state.value.sampledCapacity = sampledCapacity
            return
        }
        // Another sampling rate means other keys: the simulations start again.
        var fresh = State()
        fresh.sampleShift = shift
        fresh.sampledCapacity = sampledCapacity
        fresh.shadows = WindowTuner.shapes.map { ShadowCache($0) }
        fresh.scores = Array(repeating: 0, count: fresh.shadows.count)
        fresh.missesAtEpochStart = Array(repeating: 0, count: fresh.shadows.count)
        fresh.chosen = WindowTuner.initialChoice
        fresh.ringTail = state.value.ringTail
        state.value = fresh
        bytes.store(ringSize * 8 + fresh.shadows.reduce(0) { $0 + $1.byteCount }, ordering: .relaxed)
        chosenShape.store(WindowTuner.initialChoice, ordering: .relaxed)
        sampleMask.store(shift == 0 ? 0 : ~0 << UInt64(64 - shift), ordering: .relaxed)
    }

    /// Simulates the requests recorded since the last drain, in order. A slot a recorder has claimed
    /// but not yet filled reads as empty and its request is lost, as are requests
    /// overwritten when more than the ring holds arrive between drains.
    private func drainRing() {
        let head = ringHead.load(ordering: .relaxed)
        var position = max(state.value.ringTail, head - ringSize)
        while position < head {
            let slot = ring + (position & (ringSize - 1))
            let hash = AtomicWords.loadRelaxed(slot)
            if hash != 0 {
                AtomicWords.storeRelaxed(0, slot)
                // Requests recorded before the sampling rate fell may be of keys no longer sampled.
                if samples(hash) { simulate(hash) }
            }
            position += 1
        }
        state.value.ringTail = head
    }

    private func simulate(_ hash: UInt64) {
        let capacity = state.value.sampledCapacity
        for index in state.value.shadows.indices {
            state.value.shadows[index].request(hash, capacity: capacity)
        }
        state.value.requestsThisEpoch += 1
        if state.value.requestsThisEpoch >= max(capacity / 4, 16) { endEpoch() }
    }

    private func endEpoch() {
        state.value.requestsThisEpoch = 0
        var best = state.value.chosen
        var byteCount = ringSize * 8
        for index in state.value.shadows.indices {
            let misses = state.value.shadows[index].misses
            let newMisses = Double(misses - state.value.missesAtEpochStart[index])
            state.value.scores[index] = state.value.scores[index] * WindowTuner.scoreDecay + newMisses
            state.value.missesAtEpochStart[index] = misses
            byteCount += state.value.shadows[index].byteCount
        }
        for index in state.value.scores.indices where state.value.scores[index] < state.value.scores[best] {
            best = index
        }
        state.value.epochs += 1
        let switched = best != state.value.chosen
        // Between switches, realign once the simulations have two capacities of record, and
        // only when every key is sampled: a sampled cache's stripes would walk their whole
        // index to move a small share of it.
        let realigns =
            state.value.sampleShift == 0 && state.value.epochs >= 2 * WindowTuner.realignmentEpochs
            && state.value.epochs % WindowTuner.realignmentEpochs == 0
        if switched || realigns {
            state.value.chosen = best
            state.value.chosenOnRecord = true
            chosenShape.store(best, ordering: .relaxed)
            alignments.wrappingAdd(1, ordering: .relaxed)
        }
        bytes.store(byteCount, ordering: .relaxed)
    }
}

extension Int {
    /// The largest power of two at most `self` (1 for values below 2).
    fileprivate var powerOfTwoAtMost: Int {
        self < 2 ? 1 : 1 << (Int.bitWidth - 1 - leadingZeroBitCount)
    }
}
