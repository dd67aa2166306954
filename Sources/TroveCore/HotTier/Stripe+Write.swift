/// Inserting, overwriting and removing entries. The caller holds `header.mutex`.
extension Stripe {
    /// Inserts or overwrites `key`, and makes sure no older copy in the cold tier can be read again.
    ///
    /// The cold copy is invalidated after the write, not before: making room may have
    /// evicted this key's previous version and demoted it to the cold tier.
    ///
    /// - Returns: `.ok`, `.tooBig` if the entry cannot fit a segment, or `.outOfMemory` if
    ///   no memory could be won back for it.
    package func put(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        hash: UInt64,
        expiry: UInt64
    ) -> TroveStatus {
        let status = store(key: key, value: value, hash: hash, expiry: expiry, persisted: false)
        coldStore?.invalidate(key: key, hash: hash)
        return status
    }

    /// Brings an entry read from the cold tier back into memory, unless the key is in memory
    /// already or `isStillCurrent` says the cold copy was replaced or deleted meanwhile.
    ///
    /// The entry is marked persisted, so evicting it again does not rewrite its record.
    package func promote(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        hash: UInt64,
        expiry: UInt64,
        isStillCurrent: () -> Bool
    ) -> Bool {
        guard findSlot(hash: hash, key: key) == nil, isStillCurrent() else { return false }
        return store(key: key, value: value, hash: hash, expiry: expiry, persisted: true) == .ok
    }

    /// Writes an entry: in place when an existing one has the same length (readers retry
    /// around it), else appended as a new entry with the slot repointed, leaving the old
    /// bytes for eviction to reclaim.
    private func store(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        hash: UInt64,
        expiry: UInt64,
        persisted: Bool
    ) -> TroveStatus {
        let length = EntryLayout.totalLength(keyLength: key.count, valueLength: value.count, hasExpiry: expiry != 0)
        guard length <= segmentSize else { return .tooBig }
        if let (index, slot) = findSlot(hash: hash, key: key) {
            policy.recordOverwrite(ofHash: hash, in: self)
            noteRemoval(of: key, .replaced)
            let locator = Slot.locator(slot)
            let address = entryAddress(locator)
            if let old = EntryLayout.readHeader(at: address, limit: bytesToSegmentEnd(locator)),
                old.totalLength == length, (old.expiry == 0) == (expiry == 0)
            {
                header.withWriteSection {
                    EntryLayout.writeHeader(
                        to: address,
                        keyLength: key.count,
                        valueLength: value.count,
                        expiry: expiry,
                        persisted: persisted
                    )
                    if let valueBase = value.baseAddress {
                        SharedBytes.copy(
                            from: valueBase,
                            to: address + old.headerLength + key.count,
                            count: value.count
                        )
                    }
                    AtomicWords.storeRelaxed(
                        Slot.replacingAccess(slot, with: accessAfterWrite(slot)),
                        slotAddress(index)
                    )
                }
                return .ok
            }
        } else if maximumItems > 0 {
            while occupied >= maximumItems && evictOne() {}
        }
        guard reserveSlot() else { return .outOfMemory }
        let queue = policy.insertionQueue(forHash: hash, in: self)
        guard let locator = allocate(length: length, inQueue: queue, evicting: true) else { return .outOfMemory }
        _ = EntryLayout.write(to: entryAddress(locator), key: key, value: value, expiry: expiry, persisted: persisted)
        account(adding: locator, length: length)
        // Eviction while allocating may have moved or removed the old entry: look it up again.
        if let (index, slot) = findSlot(hash: hash, key: key) {
            let oldLocator = Slot.locator(slot)
            let moved = Slot.replacingAccess(Slot.replacingLocator(slot, with: locator), with: accessAfterWrite(slot))
            header.withWriteSection {
                AtomicWords.storeRelaxed(moved, slotAddress(index))
            }
            let old = oldHeader(at: oldLocator)
            EntryLayout.markDead(at: entryAddress(oldLocator))
            account(removing: oldLocator, length: old.totalLength)
            AtomicWords.subtract(UInt64(old.keyLength + old.valueLength), header.payloadBytes)
        } else {
            let slot = Slot.make(
                tag: Slot.tag(ofHash: hash),
                locator: locator,
                access: AccessState.make(frequency: 0, tick: tick)
            )
            header.withWriteSection {
                insertSlot(slot, hash: hash)
            }
            AtomicWords.add(1, header.items)
            advanceClock()
        }
        AtomicWords.add(UInt64(key.count + value.count), header.payloadBytes)
        return .ok
    }

    /// A write counts as an access, as it does in the trace simulators policies are compared with.
    private func accessAfterWrite(_ slot: UInt64) -> UInt8 {
        AccessState.afterRead(Slot.access(slot), tick: tick)
    }

    private func oldHeader(at locator: UInt64) -> EntryLayout.Header {
        guard let header = EntryLayout.readHeader(at: entryAddress(locator), limit: bytesToSegmentEnd(locator)) else {
            preconditionFailure("index slot points at a malformed entry (locator \(locator))")
        }
        return header
    }

    /// Deletes `key` from memory and from the cold tier.
    ///
    /// - Returns: Whether either tier had it.
    package func delete(key: UnsafeRawBufferPointer, hash: UInt64, cause: RemovalCause = .deleted) -> Bool {
        let removed = remove(key: key, hash: hash)
        let removedCold = coldStore?.invalidate(key: key, hash: hash) ?? false
        if removed || removedCold { noteRemoval(of: key, cause) }
        return removed || removedCold
    }

    /// Removes `key` from memory.
    ///
    /// - Parameter onlyIfExpiredAt: When non-zero, remove only if the entry has expired by
    ///   this time (lazy expiry found by a reader), and count it as an expiration.
    /// - Returns: Whether an entry was removed.
    @discardableResult
    package func remove(key: UnsafeRawBufferPointer, hash: UInt64, onlyIfExpiredAt now: UInt64 = 0) -> Bool {
        guard let (index, slot) = findSlot(hash: hash, key: key) else { return false }
        let locator = Slot.locator(slot)
        let entry = oldHeader(at: locator)
        if now != 0 {
            guard entry.expiry != 0 && entry.expiry <= now else { return false }
        }
        header.withWriteSection {
            removeSlot(at: index)
        }
        forgetEntry(at: locator, header: entry)
        if now != 0 {
            AtomicWords.add(1, header.expirations)
            noteRemoval(of: key, .expired)
        }
        return true
    }

    /// Drops every entry and gives all segments back, their pages returned to the OS.
    package func removeAll() {
        if let removals, removals._withUnsafeGuaranteedRef({ $0.isActive }) {
            forEachLiveEntry { entry in
                noteRemoval(of: entry.header.key(at: entry.address), .invalidated)
                return true
            }
        }
        header.withWriteSection {
            clearTable()
        }
        var released: [Int32] = []
        for queue in queues.indices {
            var segment = queues[queue].tail
            while segment >= 0 {
                released.append(segment)
                segment = segment == queues[queue].head ? -1 : metadata(segment).pointee.next
            }
            queues[queue] = SegmentQueue()
        }
        if let segment = takeSpare() { released.append(segment) }
        for segment in released {
            pool.give(segment, discardingPages: true)
        }
        AtomicWords.storeRelaxed(0, header.items)
        AtomicWords.storeRelaxed(0, header.payloadBytes)
    }
}
