/// CLOCK (second chance): one FIFO; an entry read since it last passed the tail gets one more round.
///
/// The classic constant-time approximation of LRU. It needs no per-entry state beyond the
/// slot's access count, which readers already maintain, and keeps a hit free of writes
/// once the count is set.
package final class ClockPolicy: EvictionPolicy {
    package init() {}

    package var queueCount: Int { 1 }

    package var metadataBytes: Int { 0 }

    package func metadataBytes(forEntries entries: Int) -> Int { 0 }

    package func resize(forEntries entries: Int) {}

    package func insertionQueue(forHash hash: UInt64, in stripe: Stripe) -> Int { 0 }

    package func evictOne(from stripe: Stripe) -> Bool {
        // After one full pass every entry has a zero count, so this bound is never the reason a read entry is evicted.
        var chances = stripe.liveItems(inQueue: 0) + 1
        while let candidate = stripe.nextCandidate(inQueue: 0) {
            if !candidate.isExpired && AccessState.frequency(candidate.access) > 0 && chances > 0 {
                chances -= 1
                let cleared = AccessState.make(frequency: 0, tick: AccessState.tick(candidate.access))
                if stripe.keep(candidate, inQueue: 0, access: cleared) { continue }
            }
            stripe.evict(candidate)
            return true
        }
        return false
    }
}
