/// The lock-free read path: a sequence-lock read of the stripe.
///
/// A reader loads the stripe's sequence number, probes the current table, copies the
/// value out, and loads the sequence again. Writers make the sequence odd while they
/// change anything a reader can see, so an even and unchanged sequence proves the copy
/// is consistent; otherwise the reader retries. Memory a reader may touch is never
/// unmapped while the engine is open (retired tables and emptied segments stay mapped),
/// and every length it decodes is bounds-checked, so a reader racing a writer reads
/// stale bytes at worst and then discards them.
extension HotTier {
    /// What a lookup found.
    package enum ReadOutcome: Equatable {
        /// The value, of this length, was copied into the buffer.
        case hit(Int)
        /// The value has this length, more than the buffer holds; nothing was copied.
        case bufferTooSmall(Int)
        /// The key is not in this tier.
        case miss
        /// The key's entry has expired; it counts as a miss and should be removed.
        case expired
    }

    /// Copies `key`'s value into `buffer`.
    ///
    /// - Complexity: Expected O(1): one table probe sequence and one entry read, no locks,
    ///   no allocation; a read racing a writer on the same stripe is retried.
    @inline(__always)
    package func read(
        hash: UInt64,
        key: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer
    )
        -> ReadOutcome
    {
        let header = header(stripeNumber(hash))
        var attempts = 0
        while true {
            let sequence = AtomicWords.loadAcquiring(header.sequence)
            if sequence & 1 == 0 {
                let probe = probe(header: header, hash: hash, key: key, into: buffer)
                atomicMemoryFenceAcquiring()
                if AtomicWords.loadRelaxed(header.sequence) == sequence {
                    if case .hit = probe.outcome { recordRead(probe, hash: hash) }
                    return probe.outcome
                }
            }
            attempts += 1
            if attempts >= HotTier.optimisticAttempts {
                return lockedRead(header: header, hash: hash, key: key, into: buffer)
            }
        }
    }

    /// Optimistic tries before a reader takes the stripe's mutex, so a reader always makes progress.
    static let optimisticAttempts = 64

    @inline(never)
    private func lockedRead(
        header: StripeHeader,
        hash: UInt64,
        key: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer
    ) -> ReadOutcome {
        header.mutex.lock()
        defer { header.mutex.unlock() }
        let probe = probe(header: header, hash: hash, key: key, into: buffer)
        if case .hit = probe.outcome { recordRead(probe, hash: hash) }
        return probe.outcome
    }

    /// Whether `key` is present and unexpired, without copying its value.
    package func contains(hash: UInt64, key: UnsafeRawBufferPointer) -> Bool {
        switch read(hash: hash, key: key, into: UnsafeMutableRawBufferPointer(start: nil, count: 0)) {
        case .hit, .bufferTooSmall: true
        case .miss, .expired: false
        }
    }

    /// Whether memory holds `key`, expired or not, without the policy counting a read.
    ///
    /// - Complexity: One probe under the stripe's mutex.
    package func holds(hash: UInt64, key: UnsafeRawBufferPointer) -> Bool {
        let header = header(stripeNumber(hash))
        header.mutex.lock()
        defer { header.mutex.unlock() }
        return probe(header: header, hash: hash, key: key, into: UnsafeMutableRawBufferPointer(start: nil, count: 0))
            .outcome != .miss
    }

    struct Probe {
        var outcome: ReadOutcome
        var slotAddress: UnsafeMutableRawPointer?
        var slot: UInt64
        var tick: UInt8
    }

    @inline(__always)
    private func probe(
        header: StripeHeader,
        hash: UInt64,
        key: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer
    ) -> Probe {
        let miss = Probe(outcome: .miss, slotAddress: nil, slot: 0, tick: 0)
        // Capacity first, with acquire: a growing stripe publishes the larger table before
        // its capacity, so the table loaded next has at least `capacity` slots. Loaded the
        // other way round, a reader could pair a retired table with the larger capacity.
        let capacity = Int(truncatingIfNeeded: AtomicWords.loadAcquiring(header.capacity))
        guard let table = UnsafeMutableRawPointer(bitPattern: UInt(AtomicWords.loadRelaxed(header.table))),
            let keyBase = key.baseAddress
        else { return miss }
        let tag = Slot.tag(ofHash: hash)
        var index = Stripe.home(of: hash, capacity: capacity)
        var probes = 0
        while probes < capacity {
            // Safe because `index` stays below `capacity` (it wraps) and the table has at least
            // `capacity` slots, mapped while the engine is open even after it is retired.
            let slotAddress = table + index * 8
            let slot = AtomicWords.loadRelaxed(slotAddress)
            if slot == Slot.empty { return miss }
            if slot & Slot.tagMask == tag {
                let locator = Int(truncatingIfNeeded: Slot.locator(slot))
                // Safe because the locator is checked against the arena before the entry is
                // decoded, and decoding is bounded by the end of the locator's segment.
                let entry = arenaBase + locator
                let limit = segmentSize - (locator & (segmentSize - 1))
                if locator < arenaByteCount, let decoded = EntryLayout.readHeader(at: entry, limit: limit),
                    decoded.keyLength == key.count,
                    SharedBytes.equal(entry + decoded.headerLength, keyBase, count: key.count)
                {
                    if decoded.expiry != 0 && decoded.expiry <= WallClock.nowMilliseconds() {
                        return Probe(outcome: .expired, slotAddress: nil, slot: 0, tick: 0)
                    }
                    let length = decoded.valueLength
                    guard length <= buffer.count else {
                        return Probe(outcome: .bufferTooSmall(length), slotAddress: nil, slot: 0, tick: 0)
                    }
                    if length > 0, let destination = buffer.baseAddress {
                        SharedBytes.copy(
                            from: entry + decoded.headerLength + decoded.keyLength,
                            to: destination,
                            count: length
                        )
                    }
                    let tick = UInt8(truncatingIfNeeded: AtomicWords.loadRelaxed(header.tick))
                    return Probe(outcome: .hit(length), slotAddress: slotAddress, slot: slot, tick: tick)
                }
            }
            index += 1
            if index == capacity { index = 0 }
            probes += 1
        }
        return miss
    }

    /// Bumps the slot's access state after a validated hit, unless it would not change.
    ///
    /// The compare-and-swap only succeeds if the slot still holds the same entry, so a
    /// slot moved or reused since the read is left alone; a lost update only makes the
    /// policy see one read fewer.
    @inline(__always)
    private func recordRead(_ probe: Probe, hash: UInt64) {
        readObserver?.recordRead(hash)
        guard let slotAddress = probe.slotAddress else { return }
        let access = Slot.access(probe.slot)
        let updated = AccessState.afterRead(access, tick: probe.tick)
        if updated != access {
            _ = AtomicWords.compareExchange(probe.slot, Slot.replacingAccess(probe.slot, with: updated), slotAddress)
        }
    }
}
