/// The adaptive policy: W-TinyLFU whose window is sized online, with a learned model of
/// reuse that judges close admission duels and decides which victims go to the cold tier.
///
/// The core's shape (`AdaptiveShape`) is whichever did best in the hot tier's
/// `WindowTuner`, which simulates windows from 1% (plain W-TinyLFU) to 100% (CLOCK) and a
/// regret-sized one, each with and without readmission of returning keys, side by side on
/// sampled requests; when a regret-sized one leads, the stripe sizes its window by its
/// own regret (`WindowRegret`), whose window ghost also tells which keys are returning.
/// When the tuner asks, the stripe moves its sampled entries to the queues the chosen
/// shape's simulation holds them in, and the rest to the core's outgoing queue, whose
/// entries leave first.
/// The `ReusePredictor` learns from the core's decisions about a sample of keys (see
/// `ReuseLabels`) and is consulted once it has seen enough outcomes.
///
/// State: the core's sketch (8 bytes per entry), two ghost tables (8 bytes per entry
/// each), the model with its pending labels (`modelByteCount`, about 48 KiB whatever the
/// cache size), and a share of the tuner's memory, which the hot tier reserves whole;
/// see `metadataBytes(forEntries:)`.
package final class AdaptivePolicy: EvictionPolicy {
    private let core = WTinyLFUPolicy(hasOutgoingQueue: true)
    /// The window's regret, the model's labels and the alignment's progress (see
    /// `UncheckedStorage` for why they are not stored properties).
    private let state = UncheckedStorage((regret: WindowRegret(), labels: ReuseLabels(), alignment: Alignment()))
    /// The hot tier's window tuner, shared by its stripes.
    package let tuner: WindowTuner
    private var regret: WindowRegret {
        get { state.value.regret }
        _modify { yield &state.value.regret }
    }
    private var labels: ReuseLabels {
        get { state.value.labels }
        _modify { yield &state.value.labels }
    }
    private var model: ReusePredictor { labels.model }
    private var alignment: Alignment {
        get { state.value.alignment }
        _modify { yield &state.value.alignment }
    }

    /// How far the stripe has come in aligning its contents with the tuner's choice.
    private struct Alignment {
        /// The tuner's `alignmentCount` the stripe last saw.
        var requestCount = 0
        /// The next index slot to look at, or `nil` when aligned.
        var nextSlot: Int?
    }

    /// Labelled outcomes the model needs before its predictions are used.
    static let warmUpLabels = 256
    /// Index slots an insert looks at while the stripe aligns with the tuner's choice, so
    /// that an alignment costs later inserts a bounded walk each rather than one insert a
    /// walk of the whole table.
    static let slotsAlignedPerInsert = 64
    /// Below this estimated chance of reuse, a victim is not worth a disk write.
    static let coldAdmissionThreshold = 0.05
    /// Memory of the model and its pending labels.
    package static let modelByteCount = ReuseLabels.byteCount

    /// A policy for one stripe, its window chosen by `tuner`, which the hot tier's stripes share.
    package init(tuner: WindowTuner) {
        self.tuner = tuner
        // Safe because the policy owns `core` and so outlives every call the core makes to it.
        core.advisor = Unmanaged.passUnretained(self)
    }

    deinit {
        state.release()
    }

    package var queueCount: Int { core.queueCount }

    package var metadataBytes: Int { core.metadataBytes + regret.byteCount + AdaptivePolicy.modelByteCount }

    /// The core's sketch and the regret's two ghosts (24 bytes per entry) and the model; the
    /// tuner's memory is reserved once for the whole hot tier (`WindowTuner.byteBound`).
    package func metadataBytes(forEntries entries: Int) -> Int {
        core.metadataBytes(forEntries: entries) + WindowRegret.byteCount(capacity: entries)
            + AdaptivePolicy.modelByteCount
    }

    package func resize(forEntries entries: Int) {
        core.resize(forEntries: entries)
        regret.resize(forCapacity: entries)
    }

    package var predictionOutcomes: PredictionOutcomes? {
        PredictionOutcomes(checked: model.labelled, correct: model.correct, reused: model.reused)
    }

    package func insertionQueue(forHash hash: UInt64, in stripe: Stripe) -> Int {
        let capacity = stripe.capacityInItems
        if tuner.samples(hash) { tuner.recordWrite(hash, stripeCapacity: capacity) }
        let advice = regret.keyInserted(hash, capacity: capacity)
        let shape = tuner.choice
        align(stripe)
        core.windowFraction = shape.windowFraction ?? advice.windowFraction
        if ReuseLabels.samples(hash) { labels.inserted(hash, horizon: capacity) }
        let queue = core.insertionQueue(forHash: hash, in: stripe)
        return shape.readmitsReturningKeys && advice.leftWindowRecently ? WTinyLFUPolicy.probation : queue
    }

    package func recordOverwrite(ofHash hash: UInt64, in stripe: Stripe) {
        if tuner.samples(hash) { tuner.recordWrite(hash, stripeCapacity: stripe.capacityInItems) }
        core.recordOverwrite(ofHash: hash, in: stripe)
    }

    package func evictOne(from stripe: Stripe) -> Bool {
        core.evictOne(from: stripe)
    }

    /// When the tuner asks (after a switch of shape, and periodically), moves each sampled
    /// entry to the queue where the chosen shape's simulation holds its key, or to the
    /// outgoing queue if it does not, so that entries the shape would not have kept leave
    /// first unless read meanwhile. The cache then starts from what the new shape would have
    /// kept instead of paying for the old shape's choices while they turn over, and does not
    /// drift from the shape's decisions. Unsampled entries stay where they are; a table
    /// rebuilt during the walk may make it miss a few. What alignment wins on the traces is
    /// in docs/policies.md.
    private func align(_ stripe: Stripe) {
        let requests = tuner.alignmentCount
        if requests != alignment.requestCount {
            alignment = Alignment(requestCount: requests, nextSlot: 0)
        }
        guard let start = alignment.nextSlot, start < stripe.capacity else {
            alignment.nextSlot = nil
            return
        }
        let end = min(start + AdaptivePolicy.slotsAlignedPerInsert, stripe.capacity)
        let tuner = self.tuner
        let walk = tuner.withChosenSimulation { queueOf in
            stripe.requeueEntries(inSlots: start..<end, whereHashBits: tuner.samples) { hash, _ in
                tuner.samples(hash) ? queueOf(hash) ?? WTinyLFUPolicy.outgoing : nil
            }
        }
        switch walk {
        case nil: return  // The tuner is busy or restarting: try again at the next insert.
        case .some(nil): alignment.nextSlot = nil  // Out of free memory: stop until the next request.
        case .some(.some): alignment.nextSlot = end
        }
    }

    /// Keeps off the disk the victims the model is confident will not be requested again
    /// and that were never requested twice: one-hit wonders such as a scan's. The horizon the
    /// model learns over is the memory tier's, shorter than the disk's reach, so an entry
    /// with any history of reuse is written whatever the model says.
    package func admitsToColdTier(_ candidate: EvictionCandidate, in stripe: Stripe) -> Bool {
        let frequency = core.sketch.frequency(candidate.hash)
        guard model.labelled >= AdaptivePolicy.warmUpLabels, frequency <= 1 else { return true }
        return model.probability(features(candidate, frequency: frequency, stripe))
            >= AdaptivePolicy.coldAdmissionThreshold
    }

    /// The core found an entry at a queue's tail, read `reads` times since it was last examined.
    func examined(_ entry: EvictionCandidate, reads: Int, frequency: Int, _ stripe: Stripe) {
        guard ReuseLabels.samples(entry.hash) else { return }
        labels.examined(entry.hash, reads: reads)
    }

    /// Whether `candidate`, leaving the window, should take `victim`'s place in main; `nil` leaves it to the sketch.
    func admits(
        _ candidate: EvictionCandidate,
        _ candidateFrequency: Int,
        over victim: EvictionCandidate,
        _ victimFrequency: Int,
        _ stripe: Stripe
    ) -> Bool? {
        // The sketch decides unless it cannot tell the two apart: trusting the model over
        // a clear frequency difference measured worse on every trace tried.
        guard model.labelled >= AdaptivePolicy.warmUpLabels, candidateFrequency == victimFrequency else { return nil }
        let candidateChance = model.probability(features(candidate, frequency: candidateFrequency, stripe))
        let victimChance = model.probability(features(victim, frequency: victimFrequency, stripe))
        return candidateChance > victimChance
    }

    /// The core kept an entry, moving it to `queue`.
    func kept(_ entry: EvictionCandidate, in queue: Int, frequency: Int, _ stripe: Stripe) {
        guard ReuseLabels.samples(entry.hash) else { return }
        labels.kept(entry.hash, features(entry, frequency: frequency, stripe))
    }

    /// The core evicted an entry (never called for expired ones).
    func evicted(_ entry: EvictionCandidate, fromWindow: Bool, frequency: Int, _ stripe: Stripe) {
        regret.keyEvicted(entry.hash, fromWindow: fromWindow)
        guard ReuseLabels.samples(entry.hash) else { return }
        labels.evicted(entry.hash, features(entry, frequency: frequency, stripe), horizon: stripe.capacityInItems)
    }

    private func features(_ entry: EvictionCandidate, frequency: Int, _ stripe: Stripe) -> ReusePredictor.Features {
        ReusePredictor.Features(
            frequency: frequency,
            reads: Int(AccessState.frequency(entry.access)),
            ticksSinceRead: Int((stripe.tick &- AccessState.tick(entry.access)) & 0x3F),
            queue: entry.queue
        )
    }
}
