/// How to open a cold tier.
package struct ColdTierOptions: Sendable {
    /// The directory holding the manifest, the region file and the checkpoint; created if missing.
    package var directory: String
    /// The disk budget.
    package var diskCapacityBytes: UInt64
    /// Values at least this long are compressed when that saves space; 0 turns compression off.
    package var compressionThreshold: Int = 1024
    /// zstd level: 1 is about twice as fast as zstd's default of 3 for a few percent less saving,
    /// and compression runs on the path that evicts from memory.
    package var compressionLevel = 1
    /// How to make I/O queues: io_uring where it works, else the synchronous fallback (tests inject failures).
    package var ioQueues: IOQueueFactory = .automatic
    /// Region-sized write buffers: one being filled, the rest queued for the writer.
    package var writeBuffers = 4
    /// Threads that can read from disk at once.
    package var readers = 8
    /// Reads one reader keeps in flight for a batched get.
    package var readDepth = 64

    package init(directory: String, diskCapacityBytes: UInt64) {
        self.directory = directory
        self.diskCapacityBytes = diskCapacityBytes
    }
}
