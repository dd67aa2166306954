import TroveCore

/// The disk tier's counters and state, for a cache opened with a `directory`.
public struct DiskStatistics: Sendable, Equatable {
    /// Whether the disk tier is serving; false after a disk failure (see `failure`).
    public var isHealthy: Bool
    /// Why the disk tier is out of service, if it is. The cache keeps serving from memory.
    public var failure: TroveError?
    /// Gets answered from disk.
    public var hits: UInt64
    /// Gets that missed in memory and on disk.
    public var misses: UInt64
    /// Entries indexed on disk.
    public var items: UInt64
    /// DRAM the disk index uses.
    public var indexBytes: UInt64
    /// Bytes written to disk.
    public var bytesWritten: UInt64
    /// Key and value bytes sent to disk; `bytesWritten / demotedBytes` is the write amplification.
    public var demotedBytes: UInt64
    /// Entries written to disk.
    public var demotions: UInt64
    /// Entries not written because the disk was behind.
    public var droppedDemotions: UInt64
    /// Records that failed their checksum (answered as misses).
    public var checksumFailures: UInt64
    /// Reads that failed with an I/O error.
    public var readErrors: UInt64
    /// Regions reclaimed to make room.
    public var regionsEvicted: UInt64
    /// Entries copied back into memory after a disk hit.
    public var promotions: UInt64
    /// Entries found when the directory was opened, and how long rebuilding the index took.
    public var recoveredItems: UInt64
    public var recoveryMilliseconds: UInt64
    /// Whether the index came from the checkpoint written at close (else from scanning the disk).
    public var recoveredFromCheckpoint: Bool
    /// The disk budget in use, and the region size it is cut into.
    public var capacityBytes: UInt64
    public var regionSize: UInt64

    init(_ stats: ColdStatistics) {
        isHealthy = stats.isHealthy
        failure = stats.failure.map(TroveError.init)
        hits = stats.hits
        misses = stats.misses
        items = stats.items
        indexBytes = stats.indexBytes
        bytesWritten = stats.bytesWritten
        demotedBytes = stats.demotedBytes
        demotions = stats.demotions
        droppedDemotions = stats.droppedDemotions
        checksumFailures = stats.checksumFailures
        readErrors = stats.readErrors
        regionsEvicted = stats.regionsEvicted
        promotions = stats.promotions
        recoveredItems = stats.recoveredItems
        recoveryMilliseconds = stats.recoveryMilliseconds
        recoveredFromCheckpoint = stats.recoveredFromCheckpoint
        capacityBytes = stats.capacityBytes
        regionSize = stats.regionSize
    }
}
