/// How to open a cache engine. Every field has a working default.
package struct EngineOptions: Sendable {
    /// The hot tier's memory budget in bytes (arena and index), at least 1 MiB. Default 64 MiB.
    package var capacityBytes: UInt64 = 64 << 20
    /// Evict beyond this many entries as well as beyond the byte budget; 0 for no count limit.
    package var maximumItems: UInt64 = 0
    /// Lock stripes, a power of two; 0 picks eight per core.
    package var stripes: UInt32 = 0
    /// The eviction policy.
    package var policy: PolicyKind = .s3fifo
    /// The cold tier's directory, or `nil` for a memory-only cache.
    package var path: String?
    /// The cold tier's disk budget in bytes.
    package var diskCapacityBytes: UInt64 = 1 << 30
    /// Values at least this long are compressed on disk when that saves space; 0 turns compression off.
    package var compressionThreshold: UInt32 = 1024
    /// The zstd level for the cold tier (1 ... 19).
    package var compressionLevel: Int32 = 1
    /// How long `getOrLoad` remembers that a loader found a key absent (0: not at all, the default).
    package var absentTimeToLiveMilliseconds: UInt64 = 0
    /// How the cold tier makes its I/O queues (tests inject failing ones; users get io_uring or the fallback).
    package var coldIOQueues: IOQueueFactory = .automatic

    package init() {}
}
