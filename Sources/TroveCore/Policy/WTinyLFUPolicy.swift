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
/// examined, so a hit costs no write to shared state.
package final class WTinyLFUPolicy: EvictionPolicy {
    static let window = 0
    static let probation = 1
    static let protected = 2

    private var sketch = FrequencySketch(capacity: 64)

    package init() {}

    package var queueCount: Int { 3 }

    package var metadataBytes: Int { sketch.byteCount }

    package func insertionQueue(forHash hash: UInt64, in stripe: Stripe) -> Int {
        sketch.ensureCapacity(max(stripe.maximumItems, stripe.liveItems + 1))
        sketch.increment(hash)
        return WTinyLFUPolicy.window
    }

    package func recordOverwrite(ofHash hash: UInt64, in stripe: Stripe) {
        sketch.increment(hash)
    }

    package func evictOne(from stripe: Stripe) -> Bool {
        var moves = stripe.liveItems + 2
        while moves > 0 {
            moves -= 1
            let window = stripe.size(ofQueue: WTinyLFUPolicy.window)
            let probation = stripe.size(ofQueue: WTinyLFUPolicy.probation)
            let protected = stripe.size(ofQueue: WTinyLFUPolicy.protected)
            let capacity = stripe.isCountBounded ? stripe.maximumItems : window + probation + protected
            let windowTarget = max(capacity / 100, 1)
            let protectedTarget = (capacity - windowTarget) * 8 / 10
            if protected > protectedTarget, let entry = stripe.nextCandidate(inQueue: WTinyLFUPolicy.protected) {
                let read = secondChance(entry)
                if !stripe.keep(entry, inQueue: read ? WTinyLFUPolicy.protected : WTinyLFUPolicy.probation, access: cleared(entry)) {
                    stripe.evict(entry)
                    return true
                }
                continue
            }
            // Eviction runs before the new key joins the window: a window at its target is about to be over it.
            guard window >= windowTarget || probation + protected == 0,
                let candidate = stripe.nextCandidate(inQueue: WTinyLFUPolicy.window)
            else {
                guard let victim = nextVictim(stripe) else { return false }
                stripe.evict(victim)
                return true
            }
            if candidate.isExpired {
                stripe.evict(candidate)
                return true
            }
            if secondChance(candidate) {
                if stripe.keep(candidate, inQueue: WTinyLFUPolicy.window, access: cleared(candidate)) { continue }
                stripe.evict(candidate)
                return true
            }
            let size = stripe.isCountBounded ? 1 : candidate.header.totalLength
            if probation + protected + size <= capacity - windowTarget {
                if stripe.keep(candidate, inQueue: WTinyLFUPolicy.probation, access: cleared(candidate)) { continue }
                stripe.evict(candidate)
                return true
            }
            guard let victim = nextVictim(stripe) else {
                stripe.evict(candidate)
                return true
            }
            if sketch.frequency(candidate.hash) > sketch.frequency(victim.hash) {
                stripe.evict(victim)
                if !stripe.keep(candidate, inQueue: WTinyLFUPolicy.probation, access: cleared(candidate)) {
                    stripe.evict(candidate)
                }
            } else {
                stripe.evict(candidate)
            }
            return true
        }
        return false
    }

    /// Main's next victim: probation's tail, after promoting entries read since they got
    /// there to protected; protected's tail when probation is empty.
    private func nextVictim(_ stripe: Stripe) -> EvictionCandidate? {
        var moves = stripe.liveItems + 1
        while moves > 0, let entry = stripe.nextCandidate(inQueue: WTinyLFUPolicy.probation) {
            moves -= 1
            if entry.isExpired || !secondChance(entry) { return entry }
            if !stripe.keep(entry, inQueue: WTinyLFUPolicy.protected, access: cleared(entry)) { return entry }
        }
        while moves > 0, let entry = stripe.nextCandidate(inQueue: WTinyLFUPolicy.protected) {
            moves -= 1
            if entry.isExpired || !secondChance(entry) { return entry }
            if !stripe.keep(entry, inQueue: WTinyLFUPolicy.protected, access: cleared(entry)) { return entry }
        }
        return nil
    }

    /// Adds the reads an entry saw since it was last examined to the sketch; returns whether there were any.
    private func secondChance(_ entry: EvictionCandidate) -> Bool {
        let reads = Int(AccessState.frequency(entry.access))
        sketch.increment(entry.hash, by: reads)
        return reads > 0
    }

    private func cleared(_ entry: EvictionCandidate) -> UInt8 {
        AccessState.make(frequency: 0, tick: AccessState.tick(entry.access))
    }
}
