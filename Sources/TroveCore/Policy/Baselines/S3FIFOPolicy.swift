/// S3-FIFO (Yang et al., SOSP 2023): a small FIFO that filters one-hit wonders, a main
/// FIFO with reinsertion, and a ghost of keys recently evicted from the small queue.
///
/// New keys enter the small queue (10% of the cache); two reads there earn a move to
/// main (the reference implementation's default threshold), otherwise they leave and
/// are remembered in the ghost, and a remembered key that returns goes straight to main. Main behaves as CLOCK with a 2-bit count: a read
/// entry is moved back to main's head with its count lowered by one.
package final class S3FIFOPolicy: EvictionPolicy {
    static let small = 0
    static let main = 1
    /// Reads in the small queue that earn a move to main.
    static let moveToMainThreshold: UInt8 = 2

    private let storage = UncheckedStorage(GhostTable(growable: false))
    private var ghost: GhostTable {
        get { storage.value }
        _modify { yield &storage.value }
    }

    package init() {}

    deinit {
        storage.release()
    }

    package var metadataBytes: Int { ghost.byteCount }

    /// A ghost of one eviction per entry: 8 bytes per entry (see `GhostTable`).
    package func metadataBytes(forEntries entries: Int) -> Int { GhostTable.byteCount(capacity: entries) }

    package func resize(forEntries entries: Int) {
        guard ghost.capacity != max(entries, 16) else { return }
        ghost = GhostTable(capacity: entries, growable: false)
    }

    package var queueCount: Int { 2 }

    package func insertionQueue(forHash hash: UInt64, in stripe: Stripe) -> Int {
        ghost.remove(hash) ? S3FIFOPolicy.main : S3FIFOPolicy.small
    }

    package func evictOne(from stripe: Stripe) -> Bool {
        var moves = stripe.liveItems + 1
        while moves > 0 {
            moves -= 1
            let smallSize = stripe.size(ofQueue: S3FIFOPolicy.small)
            let mainSize = stripe.size(ofQueue: S3FIFOPolicy.main)
            let fromSmall = smallSize > 0 && (smallSize * 10 >= smallSize + mainSize || mainSize == 0)
            let queue = fromSmall ? S3FIFOPolicy.small : S3FIFOPolicy.main
            guard let candidate = stripe.nextCandidate(inQueue: queue) ?? fallbackCandidate(stripe, queue) else {
                return false
            }
            let frequency = AccessState.frequency(candidate.access)
            let threshold = candidate.queue == S3FIFOPolicy.small ? S3FIFOPolicy.moveToMainThreshold : 1
            if !candidate.isExpired && frequency >= threshold {
                let tick = AccessState.tick(candidate.access)
                let kept: Bool
                if candidate.queue == S3FIFOPolicy.small {
                    kept = stripe.keep(
                        candidate,
                        inQueue: S3FIFOPolicy.main,
                        access: AccessState.make(frequency: 0, tick: tick)
                    )
                } else {
                    kept = stripe.keep(
                        candidate,
                        inQueue: S3FIFOPolicy.main,
                        access: AccessState.make(frequency: frequency - 1, tick: tick)
                    )
                }
                if kept { continue }
            }
            if candidate.queue == S3FIFOPolicy.small && !candidate.isExpired {
                ghost.setWindow(stripe.isCountBounded ? stripe.maximumItems : stripe.liveItems)
                ghost.insert(candidate.hash)
            }
            stripe.evict(candidate)
            return true
        }
        return false
    }

    /// The other queue's tail, when the chosen queue has nothing left to walk.
    private func fallbackCandidate(_ stripe: Stripe, _ queue: Int) -> EvictionCandidate? {
        stripe.nextCandidate(inQueue: queue == S3FIFOPolicy.small ? S3FIFOPolicy.main : S3FIFOPolicy.small)
    }
}
