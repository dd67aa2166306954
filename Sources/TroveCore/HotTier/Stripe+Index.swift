/// Writer-side operations on the stripe's open-addressing index (linear probing).
///
/// A key's home slot is `(hash bits 16...47) * capacity >> 32`, which spreads keys over
/// any capacity, not only powers of two, so the table can grow by half each time. Deleted
/// slots become tombstones; they are swept out when occupied plus tombstones pass 80% of
/// the table, by rebuilding it at 1.5x the size if it is more than 60% live, else in place.
extension Stripe {
    /// The slot index where probing for `hash` starts in a table of `capacity` slots.
    @inlinable @inline(__always)
    package static func home(of hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (((hash >> 16) & 0xFFFF_FFFF) &* UInt64(capacity)) >> 32)
    }

    @inline(__always)
    func slotAddress(_ index: Int) -> UnsafeMutableRawPointer {
        table.base + index * 8
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

    /// Makes sure one more key fits under the 80% load limit, rebuilding the table if needed.
    ///
    /// - Returns: `false` if a larger table could not be mapped (the insert fails with out-of-memory).
    func reserveSlot() -> Bool {
        guard (occupied + tombstones + 1) * 5 > capacity * 4 else { return true }
        if (occupied + 1) * 5 > capacity * 3 {
            return grow(to: capacity + capacity / 2)
        }
        sweepTombstones()
        return true
    }

    /// Rebuilds the index in a new, larger table and publishes it to readers.
    ///
    /// Readers keep probing the old table while the new one is filled (it does not change:
    /// the mutex is held), so they stall only for the pointer swap.
    private func grow(to wanted: Int) -> Bool {
        guard let larger = try? MappedMemory(byteCount: wanted * 8) else { return false }
        let largerCapacity = larger.byteCount / 8
        for index in 0..<capacity {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            guard Slot.isOccupied(slot) else { continue }
            Stripe.place(slot, hash: hashOfEntry(at: Slot.locator(slot)), in: larger.base, capacity: largerCapacity)
        }
        header.beginWrite()
        AtomicWords.storeRelaxed(UInt64(UInt(bitPattern: larger.base)), header.table)
        AtomicWords.storeRelaxed(UInt64(largerCapacity), header.capacity)
        header.endWrite()
        pool.adjustMetadataBytes(by: larger.byteCount - table.byteCount)
        table.discardAll()
        retiredTables.append(table)
        table = larger
        capacity = largerCapacity
        tombstones = 0
        releaseSegmentsOverBudget()
        return true
    }

    /// Rebuilds the table in place without its tombstones. Readers retry until it is done.
    private func sweepTombstones() {
        var live: [UInt64] = []
        live.reserveCapacity(occupied)
        for index in 0..<capacity {
            let slot = AtomicWords.loadRelaxed(slotAddress(index))
            if Slot.isOccupied(slot) { live.append(slot) }
        }
        header.beginWrite()
        for index in 0..<capacity {
            AtomicWords.storeRelaxed(Slot.empty, slotAddress(index))
        }
        for slot in live {
            Stripe.place(slot, hash: hashOfEntry(at: Slot.locator(slot)), in: table.base, capacity: capacity)
        }
        header.endWrite()
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
        return KeyHash.hash(UnsafeRawBufferPointer(start: address + header.headerLength, count: header.keyLength))
    }
}
