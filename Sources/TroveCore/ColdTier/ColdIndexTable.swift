/// One stripe of the cold index: an open-addressing table of `ColdSlot`s, probed linearly.
///
/// A key's home is its fingerprint scaled to the capacity, so the table can be rebuilt
/// at any size from the slots alone. Load is kept at or below 80%: the table grows by
/// half when more than 60% of it is live, else tombstones are swept out in place.
/// Not thread-safe: `ColdIndex` guards each table with its own mutex.
struct ColdIndexTable {
    private(set) var memory: MappedMemory
    private(set) var capacity: Int
    private(set) var occupied = 0
    private var tombstones = 0

    init(capacity: Int) throws(SystemError) {
        memory = try MappedMemory(byteCount: max(capacity, 512) * 8)
        self.capacity = memory.byteCount / 8
    }

    /// A table holding `slots`, sized so they fill 60% of it.
    init(slots: [UInt64]) throws(SystemError) {
        try self.init(capacity: slots.count * 5 / 3 + 1)
        for value in slots {
            place(value)
        }
    }

    @inline(__always)
    private func slot(_ index: Int) -> UInt64 {
        // Safe because `capacity` slots of 8 bytes fill the mapping, which is page (so 8-byte) aligned.
        assert(index >= 0 && index < capacity)
        return memory.base.load(fromByteOffset: index * 8, as: UInt64.self)
    }

    @inline(__always)
    private func setSlot(_ index: Int, _ value: UInt64) {
        // Safe because `capacity` slots of 8 bytes fill the mapping.
        assert(index >= 0 && index < capacity)
        memory.base.storeBytes(of: value, toByteOffset: index * 8, as: UInt64.self)
    }

    @inline(__always)
    private static func home(_ fingerprint: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: ((fingerprint & 0x3FFF_FFFF) &* UInt64(capacity)) >> 30)
    }

    /// The slot index holding `fingerprint`, or `nil`.
    private func find(_ fingerprint: UInt64) -> Int? {
        var index = ColdIndexTable.home(fingerprint, capacity)
        for _ in 0..<capacity {
            let value = slot(index)
            if value == ColdSlot.empty { return nil }
            if ColdSlot.isOccupied(value) && ColdSlot.fingerprint(value) == fingerprint { return index }
            index += 1
            if index == capacity { index = 0 }
        }
        return nil
    }

    func lookup(_ fingerprint: UInt64) -> UInt64? {
        find(fingerprint).map(slot)
    }

    /// Stores `value` for its fingerprint, replacing any slot with the same fingerprint.
    ///
    /// - Returns: The replaced slot, if any.
    /// - Throws: `SystemError` if a larger table could not be mapped.
    mutating func upsert(_ value: UInt64) throws(SystemError) -> UInt64? {
        let fingerprint = ColdSlot.fingerprint(value)
        if let index = find(fingerprint) {
            let old = slot(index)
            setSlot(index, value)
            return old
        }
        try reserveSlot()
        var index = ColdIndexTable.home(fingerprint, capacity)
        while ColdSlot.isOccupied(slot(index)) {
            index += 1
            if index == capacity { index = 0 }
        }
        if slot(index) == ColdSlot.tombstone { tombstones -= 1 }
        setSlot(index, value)
        occupied += 1
        return nil
    }

    /// Removes the slot for `fingerprint`, if it equals `expected` when one is given.
    ///
    /// - Returns: The removed slot, if any.
    mutating func remove(_ fingerprint: UInt64, ifEqualTo expected: UInt64? = nil) -> UInt64? {
        guard let index = find(fingerprint) else { return nil }
        let old = slot(index)
        if let expected, old != expected { return nil }
        setSlot(index, ColdSlot.tombstone)
        occupied -= 1
        tombstones += 1
        return old
    }

    /// Removes every slot `predicate` selects. Returns how many.
    mutating func removeAll(where predicate: (UInt64) -> Bool) -> Int {
        var removed = 0
        for index in 0..<capacity {
            let value = slot(index)
            if ColdSlot.isOccupied(value) && predicate(value) {
                setSlot(index, ColdSlot.tombstone)
                removed += 1
            }
        }
        occupied -= removed
        tombstones += removed
        return removed
    }

    /// Calls `body` with every occupied slot.
    func forEachOccupiedSlot(_ body: (UInt64) -> Void) {
        for index in 0..<capacity {
            let value = slot(index)
            if ColdSlot.isOccupied(value) { body(value) }
        }
    }

    private mutating func reserveSlot() throws(SystemError) {
        guard (occupied + tombstones + 1) * 5 > capacity * 4 else { return }
        let wanted = (occupied + 1) * 5 > capacity * 3 ? capacity + capacity / 2 : capacity
        var rebuilt = try ColdIndexTable(capacity: wanted)
        forEachOccupiedSlot { value in rebuilt.place(value) }
        self = rebuilt
    }

    private mutating func place(_ value: UInt64) {
        var index = ColdIndexTable.home(ColdSlot.fingerprint(value), capacity)
        while slot(index) != ColdSlot.empty {
            index += 1
            if index == capacity { index = 0 }
        }
        setSlot(index, value)
        occupied += 1
    }
}
