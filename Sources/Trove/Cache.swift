import TroveCore

/// An in-process key-value cache with a fixed memory budget.
///
/// Keys are 1 to 1024 bytes; values are copied in on `put` and copied out on `get`.
/// When the budget (or the optional entry limit) is reached, the eviction policy makes
/// room. Entries may carry a time to live.
///
/// `Cache` is `Sendable`: every method may be called from any thread or task at the same
/// time. Gets take no lock; puts lock one of many stripes.
///
/// ```swift
/// let cache = try Cache(options: CacheOptions(capacityBytes: 256 << 20))
/// try cache.put("user:42", "Ada")
/// let name = try cache.getString("user:42")   // "Ada"
/// ```
public final class Cache: Sendable {
    let engine: CacheEngine

    /// Opens a cache.
    ///
    /// - Throws: `TroveError` with `.invalidArgument` for a bad option (the message names it)
    ///   or `.outOfMemory` when the memory cannot be reserved.
    public init(options: CacheOptions = CacheOptions()) throws(TroveError) {
        let engineOptions = try options.engineOptions()
        do {
            engine = try CacheEngine(options: engineOptions)
        } catch {
            throw TroveError(error)
        }
    }

    /// The outcome of reading a value into a caller's buffer.
    public enum ReadOutcome: Equatable, Sendable {
        /// The value was copied; it is this many bytes long.
        case found(length: Int)
        /// The key is not cached (absent, deleted, expired or evicted).
        case notFound
        /// The value is `required` bytes, more than the buffer holds; nothing was copied.
        case bufferTooSmall(required: Int)
    }

    /// Copies `key`'s value into `buffer`, without allocating.
    ///
    /// - Complexity: Expected O(1) plus the copy; lock-free.
    /// - Throws: `TroveError` for an invalid key or a closed cache.
    public func get(
        _ key: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(TroveError)
        -> ReadOutcome
    {
        let result = engine.get(key: key, into: buffer)
        switch result.status {
        case .ok: return .found(length: result.length)
        case .notFound: return .notFound
        case .bufferTooSmall: return .bufferTooSmall(required: result.length)
        default: throw TroveError(status: result.status)
        }
    }

    /// Stores `value` under `key`, replacing any previous value.
    ///
    /// - Parameters:
    ///   - key: 1 to 1,024 bytes, copied in.
    ///   - value: The bytes to store, copied in; with the key, they must fit one arena segment.
    ///   - timeToLive: How long the entry stays readable; `nil` for no expiry.
    /// - Complexity: Expected O(1); may evict other entries.
    /// - Throws: `TroveError` for an invalid key, an entry too big for the cache, no memory, or a closed cache.
    public func put(
        _ key: UnsafeRawBufferPointer,
        _ value: UnsafeRawBufferPointer,
        timeToLive: Duration? = nil
    ) throws(TroveError) {
        let status = engine.put(key: key, value: value, ttlMilliseconds: try Cache.milliseconds(timeToLive))
        guard status == .ok else { throw TroveError(status: status) }
    }

    /// Removes `key`.
    ///
    /// - Returns: Whether an entry was removed.
    /// - Throws: `TroveError` for an invalid key or a closed cache.
    @discardableResult
    public func delete(_ key: UnsafeRawBufferPointer) throws(TroveError) -> Bool {
        let status = engine.delete(key: key)
        switch status {
        case .ok: return true
        case .notFound: return false
        default: throw TroveError(status: status)
        }
    }

    /// Whether `key` is cached and unexpired. Not counted as a hit or a miss.
    ///
    /// - Throws: `TroveError` for an invalid key or a closed cache.
    public func contains(_ key: UnsafeRawBufferPointer) throws(TroveError) -> Bool {
        let status = engine.contains(key: key)
        switch status {
        case .ok: return true
        case .notFound: return false
        default: throw TroveError(status: status)
        }
    }

    /// Removes every entry and returns the memory to the OS.
    ///
    /// - Throws: `TroveError(.closed)` if the cache was closed.
    public func removeAll() throws(TroveError) {
        let status = engine.removeAll()
        guard status == .ok else { throw TroveError(status: status) }
    }

    /// Makes everything written so far durable (for a cache with a disk tier).
    ///
    /// - Throws: `TroveError` if the disk tier failed or the cache was closed.
    public func flush() throws(TroveError) {
        let status = engine.flush()
        guard status == .ok else { throw TroveError(status: status) }
    }

    /// A snapshot of the counters.
    ///
    /// - Throws: `TroveError(.closed)` if the cache was closed.
    public func statistics() throws(TroveError) -> CacheStatistics {
        guard let stats = engine.statistics() else { throw TroveError(status: .closed) }
        return CacheStatistics(stats)
    }

    /// Closes the cache: later calls throw `.closed`, and once calls already running have
    /// returned, the memory, the disk tier's files and io_uring rings, and its writer thread
    /// go back to the OS. Closing twice does nothing; a cache nobody closed closes when its
    /// last reference goes away.
    ///
    /// - Warning: Blocks until calls running on other threads have returned; with a disk
    ///   tier, also until memory is written back and synced.
    public func close() {
        _ = engine.close()
    }

    static func milliseconds(_ duration: Duration?) throws(TroveError) -> UInt64 {
        guard let duration else { return 0 }
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0, seconds > 0 || attoseconds > 0 else {
            throw TroveError(.invalidArgument, "timeToLive \(duration) must be positive")
        }
        let milliseconds = UInt64(seconds).multipliedReportingOverflow(by: 1000)
        let total = milliseconds.partialValue.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000_000_000))
        if milliseconds.overflow || total.overflow { return UInt64.max }
        return max(total.partialValue, 1)
    }
}
