#if canImport(Glibc)
import Glibc
#endif

extension ColdTier {
    /// What appenders, readers and the writer share: the region table, the free lists, the
    /// invalidation log, flush tickets and the tier's health. Reached only through
    /// `ColdTier.lockedState`, which holds its lock for every access.
    struct State {
        var regions: [RegionState]
        /// Durable regions, oldest first from `durableHead`: the eviction order.
        var durable: [Int] = []
        var durableHead = 0
        var freeRegions: [Int] = []
        var freeBuffers: [Int]
        var sealed: [Int] = []
        /// The region being filled, if any.
        var current: Int?
        var nextSequence: UInt64 = 1
        var epoch: UInt64
        var invalidations: [ColdInvalidation] = []
        var flushesRequested: UInt64 = 0
        var flushesCompleted: UInt64 = 0
        var stopping = false
        /// Set once the writer has synced for `close`.
        var closingSynced = false
        var failure: EngineError?
        var writerThread: pthread_t?
        /// Told of the entries in each region the writer evicts (`entriesLeaving`), if set.
        var removals: RemovalQueue?

        /// A tier with every region free and every write buffer free.
        init(regionCount: Int, writeBuffers: Int, epoch: UInt64) {
            regions = Array(repeating: RegionState(), count: regionCount)
            freeBuffers = Array((0..<writeBuffers).reversed())
            self.epoch = epoch
        }

        /// Recomputes the eviction order and the free list from the region states.
        mutating func rebuildRegionLists() {
            durable = regions.indices.filter { regions[$0].phase == .durable }.sorted {
                regions[$0].sequence < regions[$1].sequence
            }
            durableHead = 0
            freeRegions = regions.indices.filter { regions[$0].phase == .free }.reversed()
        }
    }
}
