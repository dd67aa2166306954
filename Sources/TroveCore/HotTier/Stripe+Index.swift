/// Writer-side operations on the stripe's open-addressing index (linear probing).
///
/// A key's home slot is `(hash bits 16...47) * capacity >> 32`, which spreads keys over
/// any capacity, not only powers of two, so the table can grow by half each time. Deleted
/// slots become tombstones; they are swept out when occupied plus tombstones pass 80% of
/// the table, by rebuilding it at 1.5x the size if it is more than 60% live, else in place.
/// A table whose next size would take the stripe past its `metadataLimit` stops growing,
/// and the stripe evicts to keep it under its load limit instead.
extension Stripe {
    /// The slot index where probing for `hash` starts in a table of `capacity` slots.
    @inlinable @inline(__always)
    package static func home(of hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (((hash >> 16) & 0xFFFF_FFFF) &* UInt64(capacity)) >> 32)
    }

    /// The address of slot `index` of the current table.
    @inline(__always)
    func slotAddress(_ index: Int) -> UnsafeMutableRawPointer {
        // Safe because the table maps `capacity` 8-byte slots and probes wrap at `capacity`.
        assert(index >= 0 && index < capacity, "slot \(index) of \(capacity)")
        return table.base + index * 8
    }

    /// Whether the entry at `locator` holds `key`.
    @inline(__always)
    func entry(at locator: UInt64, holds key: UnsafeRawBufferPointer) -> Bool {
        let address = entryAddress(locator)
        guard let header = EntryLayout.readHeader(at: address, limit: bytesToSegmentEnd(locator)),
            header.keyLength == key.count, let keyBase = key.baseAddress
        else { return false }
        return SharedBytes.equal(address + header.headerLength, keyBase, count: key.count)
    }

    /// Finds `key`'s slot.
    ///
    /// - Returns: The slot's index and value, or `nil` if the key is absent.
    /// - Complexity: Expected O(1): about 3 probes at 80% load.
    func findSlot(hash: UInt64, key: UnsafeRawBufferPointer) -> (index: Int, slot: UInt64)? {
        let tag = Slot.tag(ofHash: hash)
        var index = Stripe.home(of: hash, capacity: capacity)
        for _ in 0..<capacity {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            if slot == Slot.empty { return nil }
            if slot & Slot.tagMask == tag && entry(at: Slot.locator(slot), holds: key) {
                return (index, slot)
            }
            index += 1
            if index == capacity { index = 0 }
        }
        return nil
    }

    /// Finds the slot pointing at `locator`, the entry whose key hashes to `hash`.
    func findSlot(hash: UInt64, locator: UInt64) -> (index: Int, slot: UInt64)? {
        let tag = Slot.tag(ofHash: hash)
        var index = Stripe.home(of: hash, capacity: capacity)
        for _ in 0..<capacity {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            if slot == Slot.empty { return nil }
            if slot & Slot.tagMask == tag && Slot.locator(slot) == locator { return (index, slot) }
            index += 1
            if index == capacity { index = 0 }
        }
        return nil
    }

    /// Stores `slot` for a key known to be absent, in the first free or tombstoned slot.
    ///
    /// Call `reserveSlot()` first so the table has room. The caller brackets this with
    /// `beginWrite`/`endWrite`.
    func insertSlot(_ slot: UInt64, hash: UInt64) {
        var index = Stripe.home(of: hash, capacity: capacity)
        while true {
            let current = AtomicWords.loadRelaxed(slotAddress(index))
            if current == Slot.empty || current == Slot.tombstone {
                if current == Slot.tombstone { tombstones -= 1 }
                AtomicWords.storeRelaxed(slot, slotAddress(index))
                occupied += 1
                return
            }
            index += 1
            if index == capacity { index = 0 }
        }
    }

    /// Replaces the slot at `index` with a tombstone. The caller brackets this with `beginWrite`/`endWrite`.
    func removeSlot(at index: Int) {
        AtomicWords.storeRelaxed(Slot.tombstone, slotAddress(index))
        occupied -= 1
        tombstones += 1
    }

    /// Makes sure one more key fits under the 80% load limit: by growing the table while
    /// the stripe's metadata stays within `metadataLimit` and the budget can pay for it,
    /// else by evicting entries until the table is at most 70% live (so that sweeping its
    /// tombstones is needed only every tenth of its size in inserts).
    ///
    /// - Returns: `false` if nothing was left to evict (the insert fails with out-of-memory).
    func reserveSlot() -> Bool {
        guard (occupied + tombstones + 1) * 5 > capacity * 4 else { return true }
        if (occupied + 1) * 5 > capacity * 3 && grow() { return true }
        while (occupied + 1) * 10 > capacity * 7 {
            guard evictOne() else { break }
        }
        guard (occupied + 1) * 5 <= capacity * 4 else { return false }
        sweepTombstones()
        return true
    }

    /// The table's next size (half as large again, or as large as `metadataLimit` allows)
    /// and the policy's entries and bytes at that size, or `nil` at the limit or, in a
    /// byte-bounded stripe, when growing would not let it hold more entries: when memory
    /// rather than the table bounds them (judged by the stripe's average entry size and its
    /// share of the budget), since a larger table would then only take room from the entries.
    private func growthPlan() -> (slots: Int, entries: Int, policyBytes: Int)? {
        var slots = capacity + capacity / 2
        while slots > capacity {
            let entries = isCountBounded ? policyEntryCapacity : policyEntries(forSlots: slots)
            let policyBytes = policy.metadataBytes(forEntries: entries)
            let tableBytes = MappedMemory.roundedToPages(slots * 8)
            if tableBytes + policyBytes <= metadataLimit {
                // An entry-limited stripe keeps its table under 60% load, as the adaptive
                // policy's alignment walk, which covers the table slot by slot, was tuned for.
                let gained = entriesHeld(slots: tableBytes / 8, metadataBytes: tableBytes + policyBytes)
                let now = entriesHeld(slots: capacity, metadataBytes: table.byteCount + self.policyBytes)
                return isCountBounded || gained > now ? (tableBytes / 8, entries, policyBytes) : nil
            }
            slots -= max(capacity / 16, 512)
        }
        return nil
    }

    /// The entries the stripe could hold with a table of `slots` slots (70% of them, the
    /// load eviction keeps when the table cannot grow) and `metadataBytes` of metadata in
    /// its share of the budget, at its average entry size now.
    private func entriesHeld(slots: Int, metadataBytes: Int) -> Int {
        let liveBytes = queues.reduce(0) { $0 + $1.liveBytes }
        let entrySize = max(liveBytes / max(occupied, 1), 1)
        let share = pool.geometry.capacityBytes / pool.geometry.stripeCount
        let inMemory = max(share - metadataBytes, 0) / entrySize
        return min(slots * 7 / 10, inMemory)
    }

    /// Rebuilds the index in a new, larger table and publishes it to readers.
    ///
    /// The new table (and any growth of the policy's state) is reserved from the budget
    /// before it is touched, evicting this stripe's entries if need be, and the old one is
    /// released only once its pages are returned: while both exist, both are counted.
    /// Readers keep probing the old table while the new one is filled (it does not change:
    /// the mutex is held), so they stall only for the pointer swap.
    ///
    /// - Returns: `false` if the table is at its limit or the stripe could not free the memory.
    private func grow() -> Bool {
        guard let plan = growthPlan() else { return false }
        let extra = plan.slots * 8 + max(plan.policyBytes - policyBytes, 0)
        guard reserveMetadata(extra) else { return false }
        guard let larger = try? MappedMemory(byteCount: plan.slots * 8) else {
            pool.releaseMetadata(extra)
            return false
        }
        let largerCapacity = larger.byteCount / 8
        for index in 0..<capacity {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            guard Slot.isOccupied(slot) else { continue }
            Stripe.place(slot, hash: hashOfEntry(at: Slot.locator(slot)), in: larger.base, capacity: largerCapacity)
        }
        header.withWriteSection {
            // The capacity is published after the table and with release: a reader that sees
            // the larger capacity then sees the larger table (see `HotTier.probe`).
            AtomicWords.storeRelaxed(UInt64(UInt(bitPattern: larger.base)), header.table)
            AtomicWords.storeReleasing(UInt64(largerCapacity), header.capacity)
        }
        table.discardAll()
        pool.releaseMetadata(table.byteCount + max(policyBytes - plan.policyBytes, 0))
        retiredTables.append(table)
        table = larger
        capacity = largerCapacity
        tombstones = 0
        if plan.entries != policyEntryCapacity {
            policy.resize(forEntries: plan.entries)
            policyEntryCapacity = plan.entries
            policyBytes = plan.policyBytes
        }
        return true
    }

    /// Rebuilds the table in place without its tombstones. Readers retry until it is done.
    ///
    /// Starting after a slot that was empty before the tombstones were cleared (so that no
    /// run of entries wraps past it), every entry in slot order is taken out and placed again
    /// from its home: it lands at or before where it was, never past a slot still to come,
    /// so every entry stays reachable from its home, and no extra memory is needed.
    private func sweepTombstones() {
        // Safe because the load limit keeps a fifth of the slots free, so an empty one exists.
        var start = 0
        while AtomicWords.loadRelaxed(slotAddress(start)) != Slot.empty { start += 1 }
        header.withWriteSection {
            for index in 0..<capacity where AtomicWords.loadRelaxed(slotAddress(index)) == Slot.tombstone {
                AtomicWords.storeRelaxed(Slot.empty, slotAddress(index))
            }
            for step in 1...capacity {
                let index = (start + step) % capacity
                let slot = AtomicWords.loadRelaxed(slotAddress(index))
                guard Slot.isOccupied(slot) else { continue }
                AtomicWords.storeRelaxed(Slot.empty, slotAddress(index))
                Stripe.place(slot, hash: hashOfEntry(at: Slot.locator(slot)), in: table.base, capacity: capacity)
            }
        }
        tombstones = 0
    }

    /// Empties the table in place (for `removeAll`). The caller brackets this with `beginWrite`/`endWrite`.
    func clearTable() {
        table.discardAll()
        occupied = 0
        tombstones = 0
    }

    private static func place(_ slot: UInt64, hash: UInt64, in base: UnsafeMutableRawPointer, capacity: Int) {
        var index = home(of: hash, capacity: capacity)
        while AtomicWords.loadRelaxed(base + index * 8) != Slot.empty {
            index += 1
            if index == capacity { index = 0 }
        }
        AtomicWords.storeRelaxed(slot, base + index * 8)
    }

    /// The hash of the key stored at `locator`.
    func hashOfEntry(at locator: UInt64) -> UInt64 {
        let address = entryAddress(locator)
        guard let header = EntryLayout.readHeader(at: address, limit: bytesToSegmentEnd(locator)) else {
            preconditionFailure("index slot points at a malformed entry (locator \(locator))")
        }
        return KeyHash.hash(header.key(at: address))
    }
}
