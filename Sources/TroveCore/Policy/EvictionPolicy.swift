/// Decides which entries leave a stripe, one stripe's worth of state per instance.
///
/// The engine stores entries in FIFO queues of arena segments (see `SegmentQueue`); a
/// policy says which queue a new entry joins and, when memory or the entry limit runs
/// out, walks queue tails deciding for each entry whether to keep it (move it to a queue
/// head with new access bits) or evict it. Readers feed the policy only through the
/// slot's access bits (a saturating count and a recency tick), so reads never take a lock.
///
/// Calls happen with the stripe's mutex held, so implementations need no locking of their own.
package protocol EvictionPolicy: AnyObject {
    /// How many queues the policy uses (1 to 3).
    var queueCount: Int { get }

    /// The bytes the policy's state (ghosts, sketches) takes now; never more than the stripe reserved for it.
    var metadataBytes: Int { get }

    /// The bytes the policy's state (ghosts, sketches) takes in a stripe sized for `entries`
    /// entries. The stripe reserves this much of the budget before `resize(forEntries:)`.
    func metadataBytes(forEntries entries: Int) -> Int

    /// Sizes the policy's state for a stripe of at most `entries` entries, within
    /// `metadataBytes(forEntries:)`; tables that change size forget what they held.
    func resize(forEntries entries: Int)

    /// The queue a key that is not cached joins.
    func insertionQueue(forHash hash: UInt64, in stripe: Stripe) -> Int

    /// A key that is cached was written again (reads are seen through the slot's access bits instead).
    func recordOverwrite(ofHash hash: UInt64, in stripe: Stripe)

    /// Evicts one entry from `stripe`, keeping (moving) others on the way as the policy sees fit.
    ///
    /// - Returns: `false` if the stripe has nothing left to evict.
    func evictOne(from stripe: Stripe) -> Bool

    /// Whether an entry being evicted is worth writing to the cold tier (asked only when there is one).
    func admitsToColdTier(_ candidate: EvictionCandidate, in stripe: Stripe) -> Bool

    /// How many of the policy's reuse predictions were checked against what happened, how
    /// many were right, and how many entries were in fact reused; `nil` for policies that make none.
    var predictionOutcomes: PredictionOutcomes? { get }
}

/// The policies a cache can be opened with.
package enum PolicyKind: String, CaseIterable, Sendable {
    case clock = "lru"
    case s3fifo
    case wtinylfu
    case adaptive

    /// Parses a policy name as given in the options (`"lru"`, `"clock"`, `"s3fifo"`, `"wtinylfu"`, `"adaptive"`).
    package init?(name: String) {
        switch name.lowercased() {
        case "lru", "clock": self = .clock
        case "s3fifo", "s3-fifo": self = .s3fifo
        case "wtinylfu", "w-tinylfu": self = .wtinylfu
        case "adaptive": self = .adaptive
        default: return nil
        }
    }

    /// The state this kind shares across the stripes of a hot tier of `stripeCount` stripes
    /// and a budget of `byteBudget` bytes, or `nil` if its stripes share nothing.
    package func makeSharedState(stripeCount: Int, byteBudget: Int) -> (any SharedPolicyState)? {
        switch self {
        case .clock, .s3fifo, .wtinylfu: nil
        case .adaptive: WindowTuner(stripeCount: stripeCount, byteBudget: byteBudget)
        }
    }

    /// A new policy instance for one stripe, given what `makeSharedState` made for its tier.
    package func makePolicy(sharing shared: (any SharedPolicyState)?) -> any EvictionPolicy {
        switch self {
        case .clock: ClockPolicy()
        case .s3fifo: S3FIFOPolicy()
        case .adaptive:
            AdaptivePolicy(tuner: shared as? WindowTuner ?? WindowTuner(stripeCount: 1, byteBudget: 0))
        case .wtinylfu: WTinyLFUPolicy()
        }
    }
}

extension EvictionPolicy {
    /// Policies that do not count requests ignore overwrites.
    package func recordOverwrite(ofHash hash: UInt64, in stripe: Stripe) {}

    /// Policies without a model of reuse send every victim to the cold tier.
    package func admitsToColdTier(_ candidate: EvictionCandidate, in stripe: Stripe) -> Bool { true }

    package var predictionOutcomes: PredictionOutcomes? { nil }
}
