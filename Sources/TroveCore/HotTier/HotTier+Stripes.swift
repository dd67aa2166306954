/// The operations the engine needs over every stripe, so that it talks to the tier and
/// never locks a stripe or reads its header itself.
extension HotTier {
    /// The stripes' counters, summed.
    package struct Counters {
        package var items: UInt64 = 0
        package var payloadBytes: UInt64 = 0
        package var evictions: UInt64 = 0
        package var expirations: UInt64 = 0
        package var reinsertions: UInt64 = 0
    }

    /// The stripes' counters, summed from relaxed loads: each is exact, the sum a snapshot
    /// that writers on other stripes may have moved on from.
    ///
    /// - Complexity: O(stripes); takes no lock.
    package func counters() -> Counters {
        var total = Counters()
        for stripe in stripes {
            let header = stripe.header
            total.items &+= AtomicWords.loadRelaxed(header.items)
            total.payloadBytes &+= AtomicWords.loadRelaxed(header.payloadBytes)
            total.evictions &+= AtomicWords.loadRelaxed(header.evictions)
            total.expirations &+= AtomicWords.loadRelaxed(header.expirations)
            total.reinsertions &+= AtomicWords.loadRelaxed(header.reinsertions)
        }
        return total
    }

    /// Writes every entry the cold tier does not hold yet to it, stripe by stripe (see `Stripe.persistEntries`).
    ///
    /// - Returns: `false` if the cold tier stopped taking entries (it failed); later stripes are skipped.
    /// - Complexity: O(entries); each stripe's mutex is held while it is walked.
    package func persistEntries(to cold: any ColdStore) -> Bool {
        for stripe in stripes {
            guard stripe.header.mutex.withLock({ stripe.persistEntries(to: cold) }) else { return false }
        }
        return true
    }

    /// Removes every entry whose key matches, stripe by stripe.
    ///
    /// - Returns: How many entries were removed.
    /// - Complexity: O(entries); each stripe's mutex is held while its index is scanned, so
    ///   other stripes keep serving, and entries written meanwhile may survive.
    package func removeAll(where matches: (UnsafeRawBufferPointer) -> Bool) -> Int {
        stripes.reduce(0) { removed, stripe in
            removed
                + stripe.header.mutex.withLock {
                    defer { stripe.checkInvariants() }
                    return stripe.removeAll(where: matches)
                }
        }
    }
}
