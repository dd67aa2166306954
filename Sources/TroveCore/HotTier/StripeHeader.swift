/// The part of a stripe that lock-free readers touch, in engine-owned memory.
///
/// Readers never take a lock: they read `sequence`, look the key up through `table`,
/// copy the value out and read `sequence` again; an odd or changed sequence means a
/// writer was active, and they retry. Writers hold `mutex` and make `sequence` odd for
/// the few instructions that change what readers may see. The first cache line is
/// read by every lookup and written only by such changes; counters that writers bump
/// on every change sit on later lines so they do not invalidate it.
package struct StripeHeader {
    /// Bytes per header: three cache lines.
    package static let stride = 192

    @usableFromInline static let sequenceOffset = 0
    @usableFromInline static let tableOffset = 8
    @usableFromInline static let capacityOffset = 16
    @usableFromInline static let tickOffset = 24
    static let mutexOffset = 64
    static let itemsOffset = 128
    static let payloadOffset = 136
    static let evictionsOffset = 144
    static let expirationsOffset = 152
    static let reinsertionsOffset = 160

    @usableFromInline let base: UnsafeMutableRawPointer

    @inlinable
    init(base: UnsafeMutableRawPointer) {
        self.base = base
    }

    /// The sequence number: odd while a writer changes what readers may see.
    @inlinable
    package var sequence: UnsafeMutableRawPointer { base + StripeHeader.sequenceOffset }

    /// Address of the current index table's first slot.
    @inlinable
    package var table: UnsafeMutableRawPointer { base + StripeHeader.tableOffset }

    /// Slots in the current index table.
    @inlinable
    package var capacity: UnsafeMutableRawPointer { base + StripeHeader.capacityOffset }

    /// The stripe's recency clock (advances every 1/32 of the stripe's capacity in inserts,
    /// see `Stripe.tick`), which readers stamp into an entry's access bits.
    @inlinable
    package var tick: UnsafeMutableRawPointer { base + StripeHeader.tickOffset }

    package var mutex: PThreadMutex { PThreadMutex(existingAt: base + StripeHeader.mutexOffset) }

    package var items: UnsafeMutableRawPointer { base + StripeHeader.itemsOffset }
    package var payloadBytes: UnsafeMutableRawPointer { base + StripeHeader.payloadOffset }
    package var evictions: UnsafeMutableRawPointer { base + StripeHeader.evictionsOffset }
    package var expirations: UnsafeMutableRawPointer { base + StripeHeader.expirationsOffset }
    package var reinsertions: UnsafeMutableRawPointer { base + StripeHeader.reinsertionsOffset }

    /// Runs `body` as one change readers must not observe half-done: the sequence is odd
    /// while it runs, and even again however it ends. Caller holds `mutex`.
    @inlinable @inline(__always)
    package func withWriteSection<Result>(_ body: () throws -> Result) rethrows -> Result {
        beginWrite()
        defer { endWrite() }
        return try body()
    }

    /// Starts a change readers must not observe half-done. Caller holds `mutex`.
    @inlinable @inline(__always)
    package func beginWrite() {
        let value = AtomicWords.loadRelaxed(sequence)
        assert(value & 1 == 0)
        AtomicWords.storeRelaxed(value &+ 1, sequence)
        // Later stores to the table or arena must not become visible before the odd sequence.
        atomicMemoryFenceReleasing()
    }

    /// Ends a change started with `beginWrite`.
    @inlinable @inline(__always)
    package func endWrite() {
        let value = AtomicWords.loadRelaxed(sequence)
        assert(value & 1 == 1)
        AtomicWords.storeReleasing(value &+ 1, sequence)
    }
}
