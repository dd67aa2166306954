/// The in-memory tier: lock-striped indexes over an arena of segments, within a byte budget.
///
/// A key's hash picks its stripe; each stripe has its own mutex (for writers), index
/// table and segments, so threads on different stripes share nothing but the segment
/// pool, which they visit once per segment. Reads take no lock at all (see `read`).
package final class HotTier {
    package let geometry: HotTierGeometry
    package let pool: SegmentPool
    package let stripes: [Stripe]
    let headerMemory: UnsafeMutableRawPointer
    let stripeMask: UInt64
    let arenaBase: UnsafeMutableRawPointer
    let arenaByteCount: Int
    let segmentSize: Int
    /// What the policy's stripes share (the adaptive policy's tuner); `nil` for most policies.
    let sharedPolicyState: (any SharedPolicyState)?
    /// `sharedPolicyState` for the read path, unowned: a strong reference cost every read a
    /// retain and a release (a quarter of a hit, in perf), and `sharedPolicyState` keeps it alive.
    unowned(unsafe) let readObserver: (any SharedPolicyState)?

    /// Creates an empty hot tier.
    ///
    /// - Throws: `EngineError(.outOfMemory)` when the arena's address space cannot be mapped.
    package init(geometry: HotTierGeometry, policy: PolicyKind) throws(EngineError) {
        self.geometry = geometry
        do {
            pool = try SegmentPool(geometry: geometry)
        } catch {
            throw EngineError(
                .outOfMemory,
                "could not reserve \(geometry.capacityBytes) bytes of address space: \(error)"
            )
        }
        let stripeCount = geometry.stripeCount
        headerMemory = .allocate(byteCount: stripeCount * StripeHeader.stride, alignment: 128)
        headerMemory.initializeMemory(as: UInt8.self, repeating: 0, count: stripeCount * StripeHeader.stride)
        stripeMask = UInt64(stripeCount - 1)
        arenaBase = pool.arena.base
        arenaByteCount = pool.arena.byteCount
        segmentSize = geometry.segmentSize
        let shared = policy.makeSharedState(stripeCount: stripeCount, byteBudget: geometry.capacityBytes)
        sharedPolicyState = shared
        // Safe because `sharedPolicyState` holds the same object for the tier's lifetime.
        readObserver = shared
        // Shared state grows and shrinks with the cache (the tuner's simulations): reserve its bound once.
        if let shared, !pool.reserveMetadata(shared.reservedBytes) {
            throw EngineError(
                .outOfMemory,
                "capacity_bytes \(geometry.capacityBytes) leaves no room for the \(policy.rawValue) policy's "
                    + "shared state (\(shared.reservedBytes) bytes)"
            )
        }
        var stripes: [Stripe] = []
        stripes.reserveCapacity(stripeCount)
        for number in 0..<stripeCount {
            let header = StripeHeader(base: headerMemory + number * StripeHeader.stride)
            _ = PThreadMutex(initializingAt: header.base + StripeHeader.mutexOffset)
            do {
                stripes.append(
                    try Stripe(
                        header: header,
                        pool: pool,
                        policy: policy.makePolicy(sharing: shared),
                        maximumItems: geometry.maximumItemsPerStripe
                    )
                )
            } catch {
                throw EngineError(.outOfMemory, "could not map an index table: \(error)")
            }
        }
        self.stripes = stripes
    }

    deinit {
        for stripe in stripes {
            stripe.header.mutex.destroy()
        }
        headerMemory.deallocate()
    }

    @inline(__always)
    func stripeNumber(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash & stripeMask)
    }

    @inline(__always)
    func header(_ number: Int) -> StripeHeader {
        StripeHeader(base: headerMemory + number * StripeHeader.stride)
    }

    /// Runs `body` on the key's stripe with its mutex held.
    @inline(__always)
    package func withStripe<Result>(forHash hash: UInt64, _ body: (Stripe) -> Result) -> Result {
        let stripe = stripes[stripeNumber(hash)]
        stripe.header.mutex.lock()
        defer {
            stripe.checkInvariants()
            stripe.header.mutex.unlock()
        }
        return body(stripe)
    }

    /// Inserts or overwrites an entry; see `Stripe.put`.
    package func put(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        hash: UInt64,
        expiry: UInt64
    )
        -> TroveStatus
    {
        let stripe = stripes[stripeNumber(hash)]
        stripe.header.mutex.lock()
        let status = stripe.put(key: key, value: value, hash: hash, expiry: expiry)
        stripe.checkInvariants()
        stripe.header.mutex.unlock()
        guard status == .outOfMemory else { return status }
        return putBorrowing(key: key, value: value, hash: hash, expiry: expiry)
    }

    /// Retries a put that found nothing to evict in its own stripe, borrowing a segment
    /// from the other stripes before each try. Called without any stripe's lock.
    ///
    /// - Returns: The last try's status: `.outOfMemory` if no stripe had a segment to give.
    func putBorrowing(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        hash: UInt64,
        expiry: UInt64
    ) -> TroveStatus {
        let number = stripeNumber(hash)
        var status = TroveStatus.outOfMemory
        // Another stripe's writer may take the borrowed segment first: try a few times.
        var borrowed = 0
        while status == .outOfMemory && borrowed < HotTier.borrowAttempts && borrowSegment(for: number) {
            borrowed += 1
            status = withStripe(forHash: hash) { $0.put(key: key, value: value, hash: hash, expiry: expiry) }
        }
        return status
    }

    /// Segments a put that found nothing to evict in its own stripe borrows before it gives up.
    static let borrowAttempts = 4

    /// Asks other stripes to give a segment back to the pool, for a stripe that has nothing left to evict.
    ///
    /// Runs without the requesting stripe's lock, so locking another stripe cannot deadlock.
    private func borrowSegment(for number: Int) -> Bool {
        let donors = stripes.indices.filter { $0 != number }.sorted {
            stripes[$0].segmentsHeld > stripes[$1].segmentsHeld
        }
        for donor in donors {
            let stripe = stripes[donor]
            stripe.header.mutex.lock()
            let released = stripe.releaseOneSegment()
            stripe.checkInvariants()
            stripe.header.mutex.unlock()
            if released { return true }
        }
        return false
    }

    /// Deletes `key` from memory and the cold tier, telling a removal listener `cause`.
    /// Returns whether either had it.
    package func delete(key: UnsafeRawBufferPointer, hash: UInt64, cause: RemovalCause = .deleted) -> Bool {
        withStripe(forHash: hash) { $0.delete(key: key, hash: hash, cause: cause) }
    }

    /// Brings an entry read from the cold tier back into memory; see `Stripe.promote`.
    package func promote(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        hash: UInt64,
        expiry: UInt64,
        isStillCurrent: () -> Bool
    ) -> Bool {
        withStripe(forHash: hash) {
            $0.promote(key: key, value: value, hash: hash, expiry: expiry, isStillCurrent: isStillCurrent)
        }
    }

    /// Connects every stripe to the engine's removal queue, which must outlive the tier's use of it.
    package func attach(_ removals: RemovalQueue) {
        for stripe in stripes {
            stripe.header.mutex.withLock { stripe.removals = .passUnretained(removals) }
        }
    }

    /// Connects every stripe to the cold tier.
    package func attach(_ coldStore: any ColdStore) {
        for stripe in stripes {
            stripe.header.mutex.withLock { stripe.coldStore = coldStore }
        }
    }

    /// Removes `key` if it has expired by `now` (lazy expiry after a reader saw it expired).
    package func removeIfExpired(key: UnsafeRawBufferPointer, hash: UInt64, now: UInt64) {
        withStripe(forHash: hash) { _ = $0.remove(key: key, hash: hash, onlyIfExpiredAt: now) }
    }

    /// Drops every entry and returns the memory to the OS.
    package func removeAll() {
        for stripe in stripes {
            stripe.header.mutex.withLock {
                stripe.removeAll()
                stripe.checkInvariants()
            }
        }
    }
}

extension HotTier {
    /// The policies' reuse predictions checked so far, summed over stripes.
    ///
    /// - Complexity: O(stripes); takes every stripe's mutex in turn.
    package func predictionOutcomes() -> PredictionOutcomes {
        var total = PredictionOutcomes()
        for stripe in stripes {
            if let outcomes = stripe.header.mutex.withLock({ stripe.policy.predictionOutcomes }) {
                total.checked += outcomes.checked
                total.correct += outcomes.correct
                total.reused += outcomes.reused
            }
        }
        return total
    }

    /// Bytes of the tier's own mappings (arena and index tables) resident in RAM now.
    ///
    /// Unlike the process's resident set, this is unaffected by anything else the process
    /// does, so tests can hold the engine to its budget precisely.
    ///
    /// - Complexity: O(mapped pages); takes every stripe's mutex in turn.
    package func residentBytes() -> Int {
        var total = pool.arena.residentBytes()
        for stripe in stripes {
            total += stripe.header.mutex.withLock {
                stripe.retiredTables.reduce(stripe.table.residentBytes()) { $0 + $1.residentBytes() }
            }
        }
        return total
    }
}
