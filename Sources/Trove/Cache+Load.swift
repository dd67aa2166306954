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
    ///   - tags: Tags the loaded value carries (see `put(_:_:timeToLive:tags:)`); if one
    ///     is invalidated while the loader runs, the value is returned but not cached.
    ///   - loader: Finds the value on a miss: the bytes, or `nil` if there is none.
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's own error (for every caller waiting on that load), or
    ///   `TroveError` for an invalid key or tags, a closed cache, or a load that would wait for itself.
    /// - Complexity: A hit costs what `get` costs.
    public func value(
        forKey key: some ContiguousBytes,
        timeToLive: Duration? = nil,
        tags: [String] = [],
        loader: () throws -> [UInt8]?
    ) throws -> [UInt8]? {
        let keyBytes = key.withUnsafeBytes { Array($0) }
        if let hit = try get(keyBytes) { return hit }
        let terms = try LoadTerms(timeToLive: timeToLive, tags: tags)
        return try load(keyBytes, terms) { try terms.loaded(loader()) }
    }

    /// The value of `key`, loaded with `loader` on a miss, cached for `timeToLive` and
    /// refreshed ahead: the first read after `refreshAfter` returns the cached value at once
    /// and starts one background reload through `loader`, on a thread of the cache's own.
    ///
    /// Every other read keeps getting the cached value while the reload runs. A reload that
    /// returns a value replaces it (due again `refreshAfter` later); one that throws keeps it
    /// until its time to live, is counted (`CacheStatistics.refreshFailures`) and is tried
    /// again `refreshAfter` later; one that returns `nil` removes it. A put, delete or
    /// invalidation of the key cancels the refresh. Only reads through a `refreshAfter:`
    /// form start reloads. `close` waits for a reload in progress.
    ///
    /// - Parameters:
    ///   - key: The key, 1 to 1024 bytes.
    ///   - timeToLive: How long a loaded value stays cached; `nil` until evicted.
    ///   - refreshAfter: How long after loading a read starts a reload; shorter than `timeToLive`.
    ///   - tags: Tags the loaded (and each reloaded) value carries.
    ///   - loader: Finds the value on a miss and on each reload: the bytes, or `nil`.
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's own error (on a miss; a reload's error reaches nobody), or
    ///   `TroveError` as for `value(forKey:timeToLive:tags:loader:)`, and `.invalidArgument` if
    ///   `refreshAfter` is not shorter than `timeToLive`.
    /// - Complexity: A hit costs what `get` costs and a lookup in the refresh schedule.
    public func value(
        forKey key: some ContiguousBytes,
        timeToLive: Duration? = nil,
        refreshAfter: Duration,
        tags: [String] = [],
        loader: @escaping @Sendable () throws -> [UInt8]?
    ) throws -> [UInt8]? {
        let keyBytes = key.withUnsafeBytes { Array($0) }
        let terms = try LoadTerms(timeToLive: timeToLive, refreshAfter: refreshAfter, tags: tags)
        let loaded: @Sendable () throws -> LoadedValue = { try terms.loaded(loader()) }
        if let hit = try get(keyBytes) {
            if keyBytes.withUnsafeBytes(engine.claimRefresh) {
                engine.refreshInBackground(key: keyBytes, loader: loaded)
            }
            return hit
        }
        return try load(keyBytes, terms, loaded)
    }

    /// The value of a UTF-8 `key`, loaded with `loader` and refreshed ahead; see
    /// `value(forKey:timeToLive:refreshAfter:tags:loader:)`.
    ///
    /// - Throws: The loader's own error, or `TroveError`.
    public func value(
        forKey key: String,
        timeToLive: Duration? = nil,
        refreshAfter: Duration,
        tags: [String] = [],
        loader: @escaping @Sendable () throws -> [UInt8]?
    ) throws -> [UInt8]? {
        try value(
            forKey: Array(key.utf8),
            timeToLive: timeToLive,
            refreshAfter: refreshAfter,
            tags: tags,
            loader: loader
        )
    }

    /// The miss path of the synchronous forms: one load of `key` however many callers miss it.
    private func load(_ key: [UInt8], _ terms: LoadTerms, _ loader: () throws -> LoadedValue) throws -> [UInt8]? {
        try Cache.refuseLoadingOwnKey(key)
        return try Cache.value(of: key.withUnsafeBytes { engine.load(key: $0, tags: terms.tags, loader: loader) })
    }

    /// The value of a UTF-8 `key`, loaded with `loader` on a miss; see `value(forKey:timeToLive:tags:loader:)`.
    ///
    /// - Throws: The loader's own error, or `TroveError`.
    public func value(
        forKey key: String,
        timeToLive: Duration? = nil,
        tags: [String] = [],
        loader: () throws -> [UInt8]?
    ) throws -> [UInt8]? {
        try value(forKey: Array(key.utf8), timeToLive: timeToLive, tags: tags, loader: loader)
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
    ///   - tags: Tags the loaded value carries; see `value(forKey:timeToLive:tags:loader:)`.
    ///   - loader: Finds the value on a miss: the bytes, or `nil` if there is none.
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's own error, or `TroveError` as for the synchronous form.
    public func value(
        forKey key: [UInt8],
        timeToLive: Duration? = nil,
        tags: [String] = [],
        loader: () async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        if let hit = try get(key) { return hit }
        return try await load(key, LoadTerms(timeToLive: timeToLive, tags: tags), loader)
    }

    /// The value of `key`, loaded with the async `loader` on a miss and refreshed ahead: the
    /// first read after `refreshAfter` returns the cached value at once and starts one
    /// reload through `loader` in a task of its own; see
    /// `value(forKey:timeToLive:refreshAfter:tags:loader:)` for what a reload does.
    ///
    /// - Parameters:
    ///   - key: The key, 1 to 1024 bytes.
    ///   - timeToLive: How long a loaded value stays cached; `nil` until evicted.
    ///   - refreshAfter: How long after loading a read starts a reload; shorter than `timeToLive`.
    ///   - tags: Tags the loaded (and each reloaded) value carries.
    ///   - loader: Finds the value on a miss and on each reload: the bytes, or `nil`.
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's own error (on a miss), or `TroveError`.
    public func value(
        forKey key: [UInt8],
        timeToLive: Duration? = nil,
        refreshAfter: Duration,
        tags: [String] = [],
        loader: @escaping @Sendable () async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        let terms = try LoadTerms(timeToLive: timeToLive, refreshAfter: refreshAfter, tags: tags)
        if let hit = try get(key) {
            if key.withUnsafeBytes(engine.claimRefresh) { Task { await self.reload(key, terms, loader) } }
            return hit
        }
        return try await load(key, terms, loader)
    }

    /// The value of a UTF-8 `key`, loaded with the async `loader` and refreshed ahead; see
    /// `value(forKey:timeToLive:refreshAfter:tags:loader:)`.
    ///
    /// - Throws: The loader's own error, or `TroveError`.
    public func value(
        forKey key: String,
        timeToLive: Duration? = nil,
        refreshAfter: Duration,
        tags: [String] = [],
        loader: @escaping @Sendable () async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        try await value(
            forKey: Array(key.utf8),
            timeToLive: timeToLive,
            refreshAfter: refreshAfter,
            tags: tags,
            loader: loader
        )
    }

    /// The miss path of the async forms: one load of `key` however many callers miss it,
    /// waited for by suspending.
    private func load(
        _ key: [UInt8],
        _ terms: LoadTerms,
        _ loader: () async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        try Cache.refuseLoadingOwnKey(key)
        switch key.withUnsafeBytes({ engine.startLoad(key: $0, blocking: false, tags: terms.tags) }) {
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
            let started = MonotonicClock.nanoseconds()
            let found: [UInt8]?
            do {
                found = try await LoadingTask.$leading.withValue(LoadingTask.leading + [load]) { try await loader() }
            } catch {
                engine.fail(load, with: error, nanoseconds: MonotonicClock.nanoseconds() &- started)
                throw error
            }
            let elapsed = MonotonicClock.nanoseconds() &- started
            return try Cache.value(of: engine.finish(load, with: terms.loaded(found), nanoseconds: elapsed))
        }
    }

    /// A claimed async reload of `key`: registered as the key's load (unless one is in
    /// progress), its outcome cached or, on an error, counted with the old value kept.
    private func reload(_ key: [UInt8], _ terms: LoadTerms, _ loader: () async throws -> [UInt8]?) async {
        guard let load = engine.startRefresh(key: key, blocking: false) else { return }
        let started = MonotonicClock.nanoseconds()
        do {
            let found = try await LoadingTask.$leading.withValue(LoadingTask.leading + [load]) { try await loader() }
            _ = engine.finish(
                load,
                with: terms.loaded(found),
                nanoseconds: MonotonicClock.nanoseconds() &- started
            )
        } catch {
            engine.failRefresh(load, with: error, nanoseconds: MonotonicClock.nanoseconds() &- started)
        }
    }

    /// The value of a UTF-8 `key`, loaded with the async `loader` on a miss; see `value(forKey:timeToLive:tags:loader:)`.
    ///
    /// - Throws: The loader's own error, or `TroveError`.
    public func value(
        forKey key: String,
        timeToLive: Duration? = nil,
        tags: [String] = [],
        loader: () async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        try await value(forKey: Array(key.utf8), timeToLive: timeToLive, tags: tags, loader: loader)
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

/// What a loaded value is cached with: its time to live, refresh interval and tags, checked.
struct LoadTerms: Sendable {
    let timeToLive: UInt64
    let refresh: UInt64
    let tags: [[UInt8]]

    /// Terms with no refresh-ahead.
    ///
    /// - Throws: `TroveError(.invalidArgument)` for a non-positive time to live or bad tags.
    init(timeToLive: Duration?, tags: [String]) throws(TroveError) {
        try self.init(timeToLive: timeToLive, refreshAfter: nil, tags: tags)
    }

    /// Terms with a refresh interval, which must be shorter than a time to live.
    ///
    /// - Throws: `TroveError(.invalidArgument)` for a bad duration or bad tags.
    init(timeToLive: Duration?, refreshAfter: Duration?, tags: [String]) throws(TroveError) {
        self.timeToLive = try Cache.milliseconds(timeToLive)
        refresh = try Cache.milliseconds(refreshAfter)
        guard self.timeToLive == 0 || refresh < self.timeToLive else {
            throw TroveError(.invalidArgument, "refreshAfter \(refreshAfter!) must be shorter than timeToLive")
        }
        self.tags = try Cache.tagBytes(tags)
    }

    /// What a loader's result is to the engine.
    func loaded(_ found: [UInt8]?) -> LoadedValue {
        guard let found else { return .absent }
        return .value(found, timeToLiveMilliseconds: timeToLive, refreshMilliseconds: refresh, tags: tags)
    }
}

/// The loads the current task's async loaders lead (see `Cache.refuseLoadingOwnKey`).
enum LoadingTask {
    @TaskLocal static var leading: [InFlightLoad] = []
}
