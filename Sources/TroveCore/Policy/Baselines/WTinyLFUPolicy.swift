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
/// may watch every decision, set the window's size and judge the admission duel.
package final class WTinyLFUPolicy: EvictionPolicy {
    static let window = 0
    static let probation = 1
    static let protected = 2
    /// Entries to leave main before probation's: those a change of the adaptive policy's
    /// shape found it would not have kept (see `AdaptivePolicy`). Counted as probation.
    package static let outgoing = 3

    /// The policy's mutable state (see `UncheckedStorage` for why it is not in stored properties).
    private struct State {
        var sketch = FrequencySketch(capacity: 64)
        var windowFraction = 0.01
        var advisor: Unmanaged<AdaptivePolicy>?
    }

    private let state = UncheckedStorage(State())

    /// Estimated request counts of keys, cached or not.
    private(set) var sketch: FrequencySketch {
        get { state.value.sketch }
        _modify { yield &state.value.sketch }
    }
    /// The window's share of the cache: 1% for plain W-TinyLFU; the adaptive policy tunes it.
    package var windowFraction: Double {
        get { state.value.windowFraction }
        set { state.value.windowFraction = newValue }
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
        // Unless readers touch it meanwhile, an entry moves at most three times in one call (to
        // the window's head, out of the window, out of protected), so this bound only stops
        // a walk that concurrent reads keep alive. At one move per entry, the first eviction
        // after the cache filled (everything in the window) gave up halfway, and the next
        // put resumed it: a decision sequence no simulation of the policy makes.
        var moves = 3 * stripe.liveItems + 3
        while moves > 0 {
            moves -= 1
            let window = stripe.size(ofQueue: WTinyLFUPolicy.window)
            let probation =
                stripe.size(ofQueue: WTinyLFUPolicy.probation)
                + (hasOutgoingQueue ? stripe.size(ofQueue: WTinyLFUPolicy.outgoing) : 0)
            let protected = stripe.size(ofQueue: WTinyLFUPolicy.protected)
            let capacity = stripe.isCountBounded ? stripe.maximumItems : window + probation + protected
            let windowTarget = max(Int(Double(capacity) * windowFraction), 1)
            let protectedTarget = (capacity - windowTarget) * 8 / 10
            if protected > protectedTarget, let entry = stripe.nextCandidate(inQueue: WTinyLFUPolicy.protected) {
                let queue = examine(entry, stripe) ? WTinyLFUPolicy.protected : WTinyLFUPolicy.probation
                if !keep(entry, in: queue, stripe) {
                    evict(entry, fromWindow: false, stripe)
                    return true
                }
                continue
            }
            // Eviction runs before the new key joins the window: a window at its target is about to be over it.
            guard window >= windowTarget || probation + protected == 0,
                let candidate = stripe.nextCandidate(inQueue: WTinyLFUPolicy.window)
            else {
                guard let victim = nextVictim(stripe) else { return false }
                evict(victim, fromWindow: false, stripe)
                return true
            }
            if candidate.isExpired {
                stripe.evict(candidate)
                return true
            }
            if examine(candidate, stripe) {
                if keep(candidate, in: WTinyLFUPolicy.window, stripe) { continue }
                evict(candidate, fromWindow: true, stripe)
                return true
            }
            let size = stripe.isCountBounded ? 1 : candidate.header.totalLength
            if probation + protected + size <= capacity - windowTarget {
                if keep(candidate, in: WTinyLFUPolicy.probation, stripe) { continue }
                evict(candidate, fromWindow: true, stripe)
                return true
            }
            guard let victim = nextVictim(stripe) else {
                evict(candidate, fromWindow: true, stripe)
                return true
            }
            let candidateFrequency = sketch.frequency(candidate.hash)
            let victimFrequency = sketch.frequency(victim.hash)
            let judgement = advisor.flatMap {
                $0._withUnsafeGuaranteedRef {
                    $0.admits(candidate, candidateFrequency, over: victim, victimFrequency, stripe)
                }
            }
            let admitted = judgement ?? (candidateFrequency > victimFrequency)
            if admitted {
                evict(victim, fromWindow: false, stripe)
                if !keep(candidate, in: WTinyLFUPolicy.probation, stripe) {
                    evict(candidate, fromWindow: true, stripe)
                }
            } else {
                evict(candidate, fromWindow: true, stripe)
            }
            return true
        }
        return false
    }

    /// Main's next victim: the outgoing queue's tail or else probation's, after promoting
    /// entries read since they got there to protected; protected's tail when both are empty.
    private func nextVictim(_ stripe: Stripe) -> EvictionCandidate? {
        var moves = stripe.liveItems + 1
        let queues = [WTinyLFUPolicy.outgoing, WTinyLFUPolicy.probation, WTinyLFUPolicy.protected]
        for queue in queues.dropFirst(hasOutgoingQueue ? 0 : 1) {
            while moves > 0, let entry = stripe.nextCandidate(inQueue: queue) {
                moves -= 1
                if entry.isExpired || !examine(entry, stripe) { return entry }
                if !keep(entry, in: WTinyLFUPolicy.protected, stripe) { return entry }
            }
        }
        return nil
    }

    /// Adds the reads an entry saw since it was last examined to the sketch and tells the
    /// advisor; returns whether there were any.
    private func examine(_ entry: EvictionCandidate, _ stripe: Stripe) -> Bool {
        let reads = Int(AccessState.frequency(entry.access))
        sketch.increment(entry.hash, by: reads)
        advisor?._withUnsafeGuaranteedRef {
            $0.examined(entry, reads: reads, frequency: sketch.frequency(entry.hash), stripe)
        }
        return reads > 0
    }

    /// Moves an entry to the head of `queue` with its read count cleared.
    private func keep(_ entry: EvictionCandidate, in queue: Int, _ stripe: Stripe) -> Bool {
        let cleared = AccessState.make(frequency: 0, tick: AccessState.tick(entry.access))
        guard stripe.keep(entry, inQueue: queue, access: cleared) else { return false }
        advisor?._withUnsafeGuaranteedRef { $0.kept(entry, in: queue, frequency: sketch.frequency(entry.hash), stripe) }
        return true
    }

    private func evict(_ entry: EvictionCandidate, fromWindow: Bool, _ stripe: Stripe) {
        if !entry.isExpired {
            advisor?._withUnsafeGuaranteedRef {
                $0.evicted(entry, fromWindow: fromWindow, frequency: sketch.frequency(entry.hash), stripe)
            }
        }
        stripe.evict(entry)
    }
}
