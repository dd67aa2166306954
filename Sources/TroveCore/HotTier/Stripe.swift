#if canImport(Glibc)
import Glibc
#endif

/// One stripe of the hot tier: an index table, its queues of arena segments, and their policy.
///
/// Every method here is a writer's: the caller holds `header.mutex`. Lock-free readers
/// see only the header, the current table and the arena (see `HotTier.read`), so every
/// change they could observe runs inside `header.withWriteSection { }`.
package final class Stripe {
    package let header: StripeHeader
    package let pool: SegmentPool
    package let policy: any EvictionPolicy
    /// Entry-count limit of this stripe, 0 for none.
    package let maximumItems: Int
    package let segmentSize: Int
    let segmentShift: Int
    let arenaBase: UnsafeMutableRawPointer

    /// The stripe's mutable bookkeeping, touched several times per put and eviction, so kept
    /// out of stored properties and their exclusivity checks (see `UncheckedStorage`).
    private let state: UncheckedStorage<StripeState>

    /// The queues of arena segments the policy keeps entries in, one per `policy.queueCount`
    /// (a buffer rather than an array for the same reason as `state`).
    package let queues: UnsafeMutableBufferPointer<SegmentQueue>

    /// The current index table.
    package var table: MappedMemory {
        get { state.value.table }
        _modify { yield &state.value.table }
    }
    /// Slots in the current table.
    package var capacity: Int {
        get { state.value.capacity }
        _modify { yield &state.value.capacity }
    }
    /// Slots holding an entry.
    var occupied: Int {
        get { state.value.occupied }
        _modify { yield &state.value.occupied }
    }
    /// Slots holding a tombstone.
    var tombstones: Int {
        get { state.value.tombstones }
        _modify { yield &state.value.tombstones }
    }
    /// Tables replaced by larger ones, kept mapped (but discarded, and no longer counted in
    /// the budget) until the engine closes, because a reader may still be probing one;
    /// growth is geometric, so they add at most twice the current table's address space
    /// and no resident memory.
    var retiredTables: [MappedMemory] {
        get { state.value.retiredTables }
        _modify { yield &state.value.retiredTables }
    }
    /// A free segment kept back for this stripe, so eviction can hand what it frees straight to the writer.
    var spare: Int32 {
        get { state.value.spare }
        _modify { yield &state.value.spare }
    }
    /// The recency clock: advances every 1/32 of the stripe's capacity in inserts, so the
    /// 6-bit tick in an entry's access state spans about two turnovers of the cache.
    package var tick: UInt8 { state.value.tick }
    /// The cold tier: it receives entries the policy evicts, and hears of every overwrite
    /// and delete so that its older copies never come back.
    package var coldStore: (any ColdStore)? {
        get { state.value.coldStore }
        _modify { yield &state.value.coldStore }
    }

    /// Where removals are reported while a listener is set (`HotTier.attach(_:)`).
    var removals: Unmanaged<RemovalQueue>? {
        get { state.value.removals }
        set { state.value.removals = newValue }
    }

    /// Reports that the entry with `key` left for `cause`, if a removal listener is set.
    /// Costs a load and a test otherwise.
    @inline(__always)
    func noteRemoval(of key: @autoclosure () -> UnsafeRawBufferPointer, _ cause: RemovalCause) {
        guard let removals = state.value.removals else { return }
        removals._withUnsafeGuaranteedRef { queue in
            if queue.isActive { queue.enqueue(key: key(), cause: cause) }
        }
    }

    static let initialSlots = 512

    /// Creates an empty stripe whose reader-visible header lives at `header`.
    ///
    /// - Throws: `SystemError` when its first index table cannot be mapped, or
    ///   `ENOMEM` when the budget has no room for it.
    init(
        header: StripeHeader,
        pool: SegmentPool,
        policy: any EvictionPolicy,
        maximumItems: Int
    ) throws(SystemError) {
        self.header = header
        self.pool = pool
        self.policy = policy
        self.maximumItems = maximumItems
        segmentSize = pool.geometry.segmentSize
        segmentShift = pool.geometry.segmentShift
        arenaBase = pool.arena.base
        metadataLimit = pool.geometry.capacityBytes / pool.geometry.stripeCount / 2
        let table = try MappedMemory(byteCount: Stripe.initialSlots * 8)
        state = UncheckedStorage(StripeState(table: table, capacity: table.byteCount / 8))
        queues = .allocate(capacity: policy.queueCount)
        queues.initialize(repeating: SegmentQueue())
        let entries = policyEntries(forSlots: capacity)
        let policyBytes = policy.metadataBytes(forEntries: entries)
        guard pool.reserveMetadata(table.byteCount + policyBytes) else {
            throw SystemError("reserving index memory within capacity_bytes", errno: ENOMEM)
        }
        policy.resize(forEntries: entries)
        state.value.policyEntries = entries
        state.value.policyBytes = policyBytes
        AtomicWords.storeRelaxed(UInt64(UInt(bitPattern: table.base)), header.table)
        AtomicWords.storeRelaxed(UInt64(capacity), header.capacity)
    }

    deinit {
        state.release()
        queues.deinitialize()
        queues.deallocate()
    }

    /// The most bytes of index table and policy state the stripe may hold: half its share
    /// of the budget, so that however small the entries, at least half of the memory holds them.
    package let metadataLimit: Int

    /// Entries the policy's state is sized for, with an index table of `slots` slots: the
    /// entry limit, or in a byte-bounded stripe half the slots (the table grows at 60% load,
    /// so it holds 40% to 70% of its slots in entries); fewer if that would take the
    /// policy's state past half of `metadataLimit`.
    func policyEntries(forSlots slots: Int) -> Int {
        var entries = isCountBounded ? maximumItems : slots / 2
        while entries > 16 && policy.metadataBytes(forEntries: entries) > metadataLimit / 2 {
            entries = entries * 7 / 8
        }
        return entries
    }

    /// Bytes of the policy's state reserved from the budget.
    package var policyBytes: Int {
        get { state.value.policyBytes }
        _modify { yield &state.value.policyBytes }
    }

    /// Changes since the invariants were last checked (see `checkInvariants`).
    var changesSinceCheck: Int {
        get { state.value.changesSinceCheck }
        _modify { yield &state.value.changesSinceCheck }
    }

    /// Entries the policy's state is sized for (see `policyEntries(forSlots:)`).
    var policyEntryCapacity: Int {
        get { state.value.policyEntries }
        _modify { yield &state.value.policyEntries }
    }

    /// Asks the policy to evict one entry.
    func evictOne() -> Bool {
        policy.evictOne(from: self)
    }

    /// Live entries in the stripe.
    package var liveItems: Int { occupied }

    /// The stripe's capacity in entries: its limit, or (bounded by bytes) the entries it holds now.
    package var capacityInItems: Int {
        isCountBounded ? maximumItems : max(liveItems, 1)
    }

    /// Live entries in queue `queue`.
    package func liveItems(inQueue queue: Int) -> Int { queues[queue].liveItems }

    /// Bytes of live entries in queue `queue`.
    package func liveBytes(inQueue queue: Int) -> Int { queues[queue].liveBytes }

    /// Whether the stripe is bounded by an entry count (then policies size queues in entries, else in bytes).
    package var isCountBounded: Bool { maximumItems > 0 }

    /// The size of queue `queue` in the unit the stripe is bounded by.
    package func size(ofQueue queue: Int) -> Int {
        isCountBounded ? queues[queue].liveItems : queues[queue].liveBytes
    }

    /// Counts an insert and advances the recency clock (published for readers) when due.
    func advanceClock() {
        state.value.insertsThisTick += 1
        guard state.value.insertsThisTick >= max(capacityInItems / 32, 1) else { return }
        state.value.insertsThisTick = 0
        state.value.tick = (state.value.tick &+ 1) & 0x3F
        AtomicWords.storeRelaxed(UInt64(state.value.tick), header.tick)
    }

    /// The address of the entry at `locator`.
    @inline(__always)
    func entryAddress(_ locator: UInt64) -> UnsafeMutableRawPointer {
        // Safe because locators are made only from offsets inside segments this stripe was
        // given (`allocate`), and the arena is mapped for the stripe's lifetime.
        assert(Int(locator) < pool.arena.byteCount, "locator \(locator) is outside the arena")
        return arenaBase + Int(locator)
    }

    /// Bytes from `locator` to the end of its segment: the bound for decoding an entry there.
    @inline(__always)
    func bytesToSegmentEnd(_ locator: UInt64) -> Int {
        segmentSize - Int(locator & UInt64(segmentSize - 1))
    }

    @inline(__always)
    func segment(of locator: UInt64) -> Int32 {
        Int32(truncatingIfNeeded: locator >> UInt64(segmentShift))
    }

    /// The bookkeeping of `segment`, which the stripe must own.
    @inline(__always)
    func metadata(_ segment: Int32) -> UnsafeMutablePointer<SegmentMetadata> {
        // Safe because segment numbers come from the pool, which numbers its `segmentCount`
        // segments from 0, and its metadata array lives as long as the pool.
        assert(segment >= 0 && Int(segment) < pool.geometry.segmentCount, "segment \(segment) out of range")
        return pool.metadata + Int(segment)
    }
}

/// A stripe's mutable bookkeeping (see `Stripe.state`).
struct StripeState {
    var table: MappedMemory
    var capacity: Int
    var occupied = 0
    var tombstones = 0
    var retiredTables: [MappedMemory] = []
    var spare: Int32 = -1
    var tick: UInt8 = 0
    var insertsThisTick = 0
    var coldStore: (any ColdStore)?
    /// The engine's removal listener queue, held unmanaged (the engine owns it and outlives
    /// the stripe's use of it): a strong load would cost each eviction a retain and release.
    var removals: Unmanaged<RemovalQueue>?
    /// Bytes of policy state reserved from the budget, and the entries it is sized for.
    var policyBytes = 0
    var policyEntries = 0
    /// Changes since the invariants were last checked (see `checkInvariants`).
    var changesSinceCheck = 0
}
