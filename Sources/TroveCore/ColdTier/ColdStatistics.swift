/// A snapshot of the cold tier's counters and state.
package struct ColdStatistics: Sendable, Equatable {
    /// Whether the cold tier is serving; false after a disk failure (see `failure`).
    package var isHealthy = true
    /// The failure that took the cold tier out of service, if any.
    package var failure: EngineError?
    /// Gets answered from disk.
    package var hits: UInt64 = 0
    /// Gets that missed in memory and on disk.
    package var misses: UInt64 = 0
    /// Entries indexed on disk.
    package var items: UInt64 = 0
    /// DRAM used by the index.
    package var indexBytes: UInt64 = 0
    /// Regions written to disk.
    package var regionsWritten: UInt64 = 0
    /// Bytes written to disk (records, headers, padding).
    package var bytesWritten: UInt64 = 0
    /// Key and value bytes of entries demoted (before compression): `bytesWritten / demotedBytes` is the write amplification.
    package var demotedBytes: UInt64 = 0
    /// Entries demoted from memory and written.
    package var demotions: UInt64 = 0
    /// Demotions dropped because the writer was behind (back-pressure) or the record could not fit.
    package var droppedDemotions: UInt64 = 0
    /// Records stored compressed.
    package var compressedRecords: UInt64 = 0
    /// Records that failed their checksum on read (answered as misses).
    package var checksumFailures: UInt64 = 0
    /// Reads that failed with an I/O error.
    package var readErrors: UInt64 = 0
    /// Regions reclaimed to make room (FIFO).
    package var regionsEvicted: UInt64 = 0
    /// Entries copied back into memory after a disk hit.
    package var promotions: UInt64 = 0
    /// Entries rebuilt into the index when the directory was opened.
    package var recoveredItems: UInt64 = 0
    /// How long opening the directory took to rebuild the index, in milliseconds.
    package var recoveryMilliseconds: UInt64 = 0
    /// Whether the index came from a checkpoint written at close (else from scanning the regions).
    package var recoveredFromCheckpoint = false
    /// The disk budget in use and the region size.
    package var capacityBytes: UInt64 = 0
    package var regionSize: UInt64 = 0

    package init() {}
}
