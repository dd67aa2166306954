/// The cold tier's DRAM index: which key hash has its newest record where on disk.
///
/// Sixteen stripes, chosen by hash bits 8...11, each an open-addressing table under its
/// own mutex; a lookup holds one mutex for a probe and never during I/O. Cost: 8 bytes
/// per slot at a load factor between 0.53 and 0.8, so 10 to 15 bytes of DRAM per
/// on-disk entry; full keys live only on disk and are compared when a record is read.
package final class ColdIndex: Sendable {
    static let stripeCount = 16

    /// A table and the mutex that guards it.
    ///
    /// `@unchecked Sendable` because `table` is only touched inside `withLock`.
    private final class Stripe: @unchecked Sendable {
        private var table: ColdIndexTable
        private let lockMemory = UnsafeMutableRawPointer.allocate(byteCount: PThreadMutex.byteCount, alignment: 64)

        init(_ table: ColdIndexTable) {
            self.table = table
            _ = PThreadMutex(initializingAt: lockMemory)
        }

        deinit {
            // Safe because `init` initialized the mutex and nothing can hold it once the stripe is released.
            PThreadMutex(existingAt: lockMemory).destroy()
            lockMemory.deallocate()
        }

        func withLock<Result, Failure: Error>(
            _ body: (inout ColdIndexTable) throws(Failure) -> Result
        ) throws(Failure) -> Result {
            // Safe because `init` initialized a mutex in `lockMemory` and only `deinit` destroys it.
            let mutex = PThreadMutex(existingAt: lockMemory)
            mutex.lock()
            defer { mutex.unlock() }
            return try body(&table)
        }
    }

    private let stripes: [Stripe]

    /// An empty index.
    ///
    /// - Throws: `SystemError` if the tables cannot be mapped.
    package init() throws(SystemError) {
        var stripes: [Stripe] = []
        for _ in 0..<ColdIndex.stripeCount {
            stripes.append(Stripe(try ColdIndexTable(capacity: 512)))
        }
        self.stripes = stripes
    }

    @inline(__always)
    private func stripe(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> 8) & (ColdIndex.stripeCount - 1)
    }

    /// The slot for `hash`, if any.
    package func lookup(hash: UInt64) -> UInt64? {
        let fingerprint = ColdSlot.fingerprint(ofHash: hash)
        return stripes[stripe(hash)].withLock { $0.lookup(fingerprint) }
    }

    /// Points `hash` at a new record; returns the slot it replaced.
    ///
    /// - Throws: `SystemError` when the table had to grow and could not.
    @discardableResult
    package func upsert(hash: UInt64, slot: UInt64) throws(SystemError) -> UInt64? {
        assert(ColdSlot.fingerprint(slot) == ColdSlot.fingerprint(ofHash: hash))
        return try stripes[stripe(hash)].withLock { table throws(SystemError) in try table.upsert(slot) }
    }

    /// Removes `hash`'s slot (only if it still equals `expected`, when given); returns the removed slot.
    @discardableResult
    package func remove(hash: UInt64, ifEqualTo expected: UInt64? = nil) -> UInt64? {
        let fingerprint = ColdSlot.fingerprint(ofHash: hash)
        return stripes[stripe(hash)].withLock { $0.remove(fingerprint, ifEqualTo: expected) }
    }

    /// Removes every slot pointing into `region`; returns how many.
    ///
    /// - Complexity: O(slots): every table is scanned under its mutex in turn.
    @discardableResult
    package func removeAll(inRegion region: Int) -> Int {
        stripes.reduce(0) { total, stripe in
            total + stripe.withLock { $0.removeAll { ColdSlot.region($0) == region } }
        }
    }

    /// Empties the index.
    package func removeAll() {
        for stripe in stripes {
            stripe.withLock { _ = $0.removeAll { _ in true } }
        }
    }

    /// Entries indexed.
    package var count: Int {
        stripes.reduce(0) { $0 + $1.withLock { $0.occupied } }
    }

    /// DRAM the tables occupy.
    package var byteCount: Int {
        stripes.reduce(0) { $0 + $1.withLock { $0.memory.byteCount } }
    }

    /// Replaces every stripe's table with one holding the given slots (from a checkpoint,
    /// which stores each slot with its stripe: stripes are chosen by hash bits a slot does
    /// not keep).
    ///
    /// - Throws: `SystemError` if a table cannot be mapped; the index is then unchanged.
    package func restore(stripes slots: [[UInt64]]) throws(SystemError) {
        precondition(slots.count == ColdIndex.stripeCount)
        var tables: [ColdIndexTable] = []
        for stripeSlots in slots {
            tables.append(try ColdIndexTable(slots: stripeSlots))
        }
        for (stripe, table) in zip(stripes, tables) {
            stripe.withLock { $0 = table }
        }
    }

    /// Every occupied slot with its stripe number, for a checkpoint.
    package func allSlotsWithStripes() -> [(stripe: Int, slot: UInt64)] {
        var result: [(stripe: Int, slot: UInt64)] = []
        for (number, stripe) in stripes.enumerated() {
            stripe.withLock { table in table.forEachOccupiedSlot { result.append((number, $0)) } }
        }
        return result
    }
}
