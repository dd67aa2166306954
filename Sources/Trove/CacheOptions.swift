import TroveCore

/// How to open a `Cache`. The defaults give a 64 MiB memory-only cache.
public struct CacheOptions: Sendable, Equatable {
    /// The eviction policies a cache can use.
    public enum Policy: String, Sendable, CaseIterable {
        /// CLOCK, the constant-time approximation of least-recently-used.
        case lru
        /// S3-FIFO: a small probationary FIFO, a main FIFO and a ghost of recent evictions.
        case s3fifo
        /// W-TinyLFU: a window, a main queue and frequency-based admission.
        case wtinylfu
        /// W-TinyLFU whose window is sized online from regret, with a reuse model, trained on
        /// what the cache observes, that settles close admission duels and keeps one-hit
        /// wonders off the disk tier. Costs about 50 KiB of model state per stripe; see
        /// `CacheStatistics.predictionAccuracy`.
        case adaptive

        /// The engine's policy of the same name.
        var kind: PolicyKind {
            switch self {
            case .lru: .clock
            case .s3fifo: .s3fifo
            case .wtinylfu: .wtinylfu
            case .adaptive: .adaptive
            }
        }
    }

    /// The memory budget in bytes (at least 1 MiB). Resident memory stays within it plus a small fixed overhead.
    public var capacityBytes: Int = 64 << 20
    /// Evict beyond this many entries as well as beyond the byte budget; `nil` for no count limit.
    public var maximumItems: Int?
    /// Lock stripes (a power of two up to 1024), or `nil` for eight per core.
    public var stripes: Int?
    /// The eviction policy.
    public var policy: Policy = .s3fifo
    /// A directory for the disk tier, or `nil` to keep everything in memory. Entries evicted
    /// from memory are kept there (except, under the adaptive policy, keys requested only
    /// once that its model predicts will not be requested again), and they survive closing
    /// and reopening the cache. Created with mode 0700 if missing; the files in it are
    /// created 0600 and never opened through a symbolic link; a directory every user may
    /// write is refused (the cache does not open).
    public var directory: String?
    /// The disk tier's budget in bytes.
    public var diskCapacityBytes: Int = 1 << 30
    /// Values at least this long are compressed on disk when that saves space; 0 turns compression off.
    public var compressionThreshold: Int = 1024
    /// The zstd level for the disk tier, 1 (fastest, the default) to 19.
    public var compressionLevel: Int = 1
    /// How long `value(forKey:timeToLive:tags:loader:)` remembers that a loader found a key
    /// absent, answering `nil` without calling a loader again (negative caching); `nil`
    /// (the default) remembers nothing. A write or an invalidation of the key forgets it.
    public var absentTimeToLive: Duration?

    /// Options with every default.
    public init() {}

    /// Options for a memory-only cache with a budget of `capacityBytes`.
    public init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    func engineOptions() throws(TroveError) -> EngineOptions {
        var options = EngineOptions()
        options.capacityBytes = try CacheOptions.unsigned(capacityBytes, "capacityBytes")
        options.maximumItems = try CacheOptions.unsigned(maximumItems ?? 0, "maximumItems")
        options.stripes = UInt32(clamping: try CacheOptions.unsigned(stripes ?? 0, "stripes"))
        options.policy = policy.kind
        options.path = directory
        options.diskCapacityBytes = try CacheOptions.unsigned(diskCapacityBytes, "diskCapacityBytes")
        options.compressionThreshold = UInt32(
            clamping: try CacheOptions.unsigned(compressionThreshold, "compressionThreshold")
        )
        guard (1...19).contains(compressionLevel) else {
            throw TroveError(.invalidArgument, "compressionLevel \(compressionLevel) must be between 1 and 19")
        }
        options.compressionLevel = Int32(compressionLevel)
        options.absentTimeToLiveMilliseconds = try Cache.milliseconds(absentTimeToLive)
        return options
    }

    private static func unsigned(_ value: Int, _ name: String) throws(TroveError) -> UInt64 {
        guard value >= 0 else { throw TroveError(.invalidArgument, "\(name) is \(value); it must not be negative") }
        return UInt64(value)
    }
}
