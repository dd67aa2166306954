import FoundationEssentials
import TroveCore

/// Read-through loading: the cache-aside pattern without stampedes or stale fills.
///
/// ```swift
/// let profile = try cache.value(forKey: "user:42", timeToLive: .seconds(300)) {
///     try database.profile(id: 42)   // [UInt8]?, nil when there is none
/// }
/// ```
///
/// Concurrent misses of one key, from any threads and tasks, call the loader once; every
/// caller gets its result. What the loader returns is cached, unless the key was put,
/// deleted or invalidated after the load began: then the write wins, and the loaded value
/// is returned but not cached. A loader that throws caches nothing; every caller waiting
/// for it gets its error, and the next call loads again. A loader that returns `nil`
/// caches nothing (unless `CacheOptions.absentTimeToLive` remembers the key as absent).
///
/// A loader may use the cache, including loading other keys. Loading its own key throws
/// `TroveError.Code.invalidArgument` instead of waiting for itself, as does a wait that
/// would close a cycle of loaders waiting for each other.
extension Cache {
    /// The value of `key`, loaded with `loader` on a miss and cached for `timeToLive`.
    ///
    /// Blocks the calling thread while another caller's load of the key runs; from async
    /// code, use the `async` form, which suspends instead.
    ///
    /// - Parameters:
    ///   - key: The key, 1 to 1024 bytes.
    ///   - timeToLive: How long a loaded value stays cached; `nil` until evicted.
    ///   - loader: Finds the value on a miss: the bytes, or `nil` if there is none.
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's own error (for every caller waiting on that load), or
    ///   `TroveError` for an invalid key, a closed cache, or a load that would wait for itself.
    /// - Complexity: A hit costs what `get` costs.
    public func value(
        forKey key: some ContiguousBytes,
        timeToLive: Duration? = nil,
        loader: () throws -> [UInt8]?
    ) throws -> [UInt8]? {
        let keyBytes = key.withUnsafeBytes { Array($0) }
        if let hit = try get(keyBytes) { return hit }
        let milliseconds = try Cache.milliseconds(timeToLive)
        try Cache.refuseLoadingOwnKey(keyBytes)
        let outcome = keyBytes.withUnsafeBytes { keyBuffer in
            engine.load(key: keyBuffer) {
                try loader().map { .value($0, timeToLiveMilliseconds: milliseconds) } ?? .absent
            }
        }
        return try Cache.value(of: outcome)
    }

    /// The value of a UTF-8 `key`, loaded with `loader` on a miss; see `value(forKey:timeToLive:loader:)`.
    ///
    /// - Throws: The loader's own error, or `TroveError`.
    public func value(
        forKey key: String,
        timeToLive: Duration? = nil,
        loader: () throws -> [UInt8]?
    ) throws -> [UInt8]? {
        try value(forKey: Array(key.utf8), timeToLive: timeToLive, loader: loader)
    }

    /// The value of `key`, loaded with the async `loader` on a miss and cached for `timeToLive`.
    ///
    /// While another caller's load of the key runs, this suspends (it never blocks a
    /// thread of the cooperative pool); a thread blocked in the synchronous form and tasks
    /// here all share one load.
    ///
    /// - Parameters:
    ///   - key: The key, 1 to 1024 bytes.
    ///   - timeToLive: How long a loaded value stays cached; `nil` until evicted.
    ///   - loader: Finds the value on a miss: the bytes, or `nil` if there is none.
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's own error, or `TroveError` as for the synchronous form.
    public func value(
        forKey key: [UInt8],
        timeToLive: Duration? = nil,
        loader: () async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        if let hit = try get(key) { return hit }
        let milliseconds = try Cache.milliseconds(timeToLive)
        try Cache.refuseLoadingOwnKey(key)
        switch key.withUnsafeBytes({ engine.startLoad(key: $0, blocking: false) }) {
        case .absent:
            return nil
        case .recursive:
            throw TroveError(.invalidArgument, CacheEngine.LoadRefusal.recursive.description)
        case .join(let load):
            let outcome = await withCheckedContinuation { continuation in
                load.whenComplete { continuation.resume(returning: $0) }
            }
            return try Cache.value(of: outcome)
        case .lead(let load):
            if let cached = engine.finishIfCached(load) { return try Cache.value(of: cached) }
            let started = CacheEngine.monotonicNanoseconds()
            let found: [UInt8]?
            do {
                found = try await LoadingTask.$leading.withValue(LoadingTask.leading + [load]) { try await loader() }
            } catch {
                engine.fail(load, with: error, nanoseconds: CacheEngine.monotonicNanoseconds() &- started)
                throw error
            }
            let loaded: LoadedValue = found.map { .value($0, timeToLiveMilliseconds: milliseconds) } ?? .absent
            let elapsed = CacheEngine.monotonicNanoseconds() &- started
            return try Cache.value(of: engine.finish(load, with: loaded, nanoseconds: elapsed))
        }
    }

    /// The value of a UTF-8 `key`, loaded with the async `loader` on a miss; see `value(forKey:timeToLive:loader:)`.
    ///
    /// - Throws: The loader's own error, or `TroveError`.
    public func value(
        forKey key: String,
        timeToLive: Duration? = nil,
        loader: () async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        try await value(forKey: Array(key.utf8), timeToLive: timeToLive, loader: loader)
    }

    private static func value(of outcome: LoadOutcome) throws -> [UInt8]? {
        switch outcome {
        case .value(let bytes): return bytes
        case .absent: return nil
        case .failed(let refusal as CacheEngine.LoadRefusal): throw TroveError(.invalidArgument, refusal.description)
        case .failed(let error): throw error
        }
    }

    /// An async loader's task has no thread the engine could recognise, so the task
    /// remembers the loads it leads: asking for one of those keys again would wait forever.
    private static func refuseLoadingOwnKey(_ key: [UInt8]) throws(TroveError) {
        if LoadingTask.leading.contains(where: { $0.key == key }) {
            throw TroveError(.invalidArgument, CacheEngine.LoadRefusal.recursive.description)
        }
    }
}

/// The loads the current task's async loaders lead (see `Cache.refuseLoadingOwnKey`).
enum LoadingTask {
    @TaskLocal static var leading: [InFlightLoad] = []
}
