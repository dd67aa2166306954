/// W-TinyLFU (Einziger, Friedman and Manes; Caffeine's policy): a small admission window
/// in front of a segmented main area, guarded by a frequency filter.
///
/// New keys enter the window (1% of the cache). An entry leaving the window joins
/// probation if main has room; otherwise it must beat probation's victim on estimated
/// frequency (the `FrequencySketch`, which counts requests including those for keys not
/// cached) or it is evicted instead. A probation entry read again moves to protected
/// (80% of main); protected's overflow goes back to probation.
///
/// The queues are FIFOs with a second chance rather than LRU lists, as everywhere in
/// this engine: an entry read since it last reached a queue's tail gets one more lap.
/// Reads reach the sketch through the slot's access count, added in when an entry is
/// examined, so a hit costs no write to shared state. An advisor (the adaptive policy)
/// may watch every decision, set the window's size and judge the admission duel. The
/// decisions are `WTinyLFUCore`'s, which the adaptive policy's simulations make too.
package final class WTinyLFUPolicy: EvictionPolicy {
    static let window = 0
    static let probation = 1
    static let protected = 2
    /// Entries to leave main before probation's: those a change of the adaptive policy's
    /// shape found it would not have kept (see `AdaptivePolicy`). Counted as probation.
    package static let outgoing = 3

    /// The policy's mutable state (see `UncheckedStorage` for why it is not in stored properties).
    private struct State {
        var core = WTinyLFUCore(sketch: FrequencySketch(capacity: 64), windowFraction: 0.01)
        var advisor: Unmanaged<AdaptivePolicy>?
    }

    private let state = UncheckedStorage(State())

    /// Estimated request counts of keys, cached or not.
    private(set) var sketch: FrequencySketch {
        get { state.value.core.sketch }
        _modify { yield &state.value.core.sketch }
    }
    /// The window's share of the cache: 1% for plain W-TinyLFU; the adaptive policy tunes it.
    package var windowFraction: Double {
        get { state.value.core.windowFraction }
        set { state.value.core.windowFraction = newValue }
    }
    /// The adaptive policy that owns this core, if any: it watches every decision and may
    /// judge the admission duel. It outlives the core, so the core holds it unmanaged and a
    /// decision costs no reference counting (loaded from an `unowned(unsafe)` existential,
    /// each call paid a retain and a release).
    var advisor: Unmanaged<AdaptivePolicy>? {
        get { state.value.advisor }
        set { state.value.advisor = newValue }
    }

    /// Whether the core has the `outgoing` queue (only the adaptive policy's does).
    private let hasOutgoingQueue: Bool

    /// A core with the three W-TinyLFU queues, and the `outgoing` one if `hasOutgoingQueue`.
    package init(hasOutgoingQueue: Bool = false) {
        self.hasOutgoingQueue = hasOutgoingQueue
    }

    deinit {
        state.release()
    }

    package var queueCount: Int { hasOutgoingQueue ? 4 : 3 }

    package var metadataBytes: Int { sketch.byteCount }

    /// A sketch of one word per entry: 8 bytes per entry (see `FrequencySketch`).
    package func metadataBytes(forEntries entries: Int) -> Int { FrequencySketch.byteCount(capacity: entries) }

    package func resize(forEntries entries: Int) {
        guard sketch.byteCount != FrequencySketch.byteCount(capacity: entries) else { return }
        sketch = FrequencySketch(capacity: entries)
    }

    package func insertionQueue(forHash hash: UInt64, in stripe: Stripe) -> Int {
        sketch.increment(hash)
        return WTinyLFUPolicy.window
    }

    package func recordOverwrite(ofHash hash: UInt64, in stripe: Stripe) {
        sketch.increment(hash)
    }

    package func evictOne(from stripe: Stripe) -> Bool {
        var queues = StripeQueues(stripe: stripe, advisor: advisor, hasOutgoingQueue: hasOutgoingQueue)
        return state.value.core.evictOne(from: &queues)
    }
}

/// A stripe's segment queues as the W-TinyLFU core sees them, in bytes (entries when the
/// stripe is bounded by count), with the adaptive policy, if any, told of every decision.
private struct StripeQueues: WTinyLFUQueues {
    let stripe: Stripe
    let advisor: Unmanaged<AdaptivePolicy>?
    let hasOutgoingQueue: Bool

    var liveCount: Int { stripe.liveItems }

    var capacity: Int {
        if stripe.isCountBounded { return stripe.maximumItems }
        let main = stripe.size(ofQueue: WTinyLFUPolicy.probation) + stripe.size(ofQueue: WTinyLFUPolicy.protected)
        let outgoing = hasOutgoingQueue ? stripe.size(ofQueue: WTinyLFUPolicy.outgoing) : 0
        return stripe.size(ofQueue: WTinyLFUPolicy.window) + main + outgoing
    }

    func size(ofQueue queue: Int) -> Int { stripe.size(ofQueue: queue) }

    func tail(ofQueue queue: Int) -> EvictionCandidate? { stripe.nextCandidate(inQueue: queue) }

    func size(of entry: EvictionCandidate) -> Int { stripe.isCountBounded ? 1 : entry.header.totalLength }

    func hash(of entry: EvictionCandidate) -> UInt64 { entry.hash }

    func reads(of entry: EvictionCandidate) -> Int { Int(AccessState.frequency(entry.access)) }

    func isExpired(_ entry: EvictionCandidate) -> Bool { entry.isExpired }

    func keep(_ entry: EvictionCandidate, inQueue queue: Int) -> Bool {
        let cleared = AccessState.make(frequency: 0, tick: AccessState.tick(entry.access))
        return stripe.keep(entry, inQueue: queue, access: cleared)
    }

    func evict(_ entry: EvictionCandidate, fromWindow: Bool) { stripe.evict(entry) }

    var isObserved: Bool { advisor != nil }

    func examined(_ entry: EvictionCandidate, reads: Int, frequency: Int) {
        advisor?._withUnsafeGuaranteedRef { $0.examined(entry, reads: reads, frequency: frequency, stripe) }
    }

    func kept(_ entry: EvictionCandidate, inQueue queue: Int, frequency: Int) {
        advisor?._withUnsafeGuaranteedRef { $0.kept(entry, in: queue, frequency: frequency, stripe) }
    }

    func evicting(_ entry: EvictionCandidate, fromWindow: Bool, frequency: Int) {
        advisor?._withUnsafeGuaranteedRef { $0.evicted(entry, fromWindow: fromWindow, frequency: frequency, stripe) }
    }

    func admits(
        _ candidate: EvictionCandidate,
        _ candidateFrequency: Int,
        over victim: EvictionCandidate,
        _ victimFrequency: Int
    ) -> Bool? {
        advisor.flatMap {
            $0._withUnsafeGuaranteedRef {
                $0.admits(candidate, candidateFrequency, over: victim, victimFrequency, stripe)
            }
        }
    }
}
