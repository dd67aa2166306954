/// Read-through loading: `getOrLoad` answers from the cache, or runs a loader once per key
/// however many callers miss it at the same time (see `LoadRegistry`).
extension CacheEngine {
    /// What `getOrLoad` returns: a read's status and length, and the loader's error when it failed.
    package struct LoadingRead {
        /// `.ok`, `.notFound` (the loader found nothing), `.bufferTooSmall` (with the length
        /// needed), `.loaderFailed` (see `error`), `.invalidArgument` (a recursive or cyclic
        /// load, see `error`), `.closed` or a key error.
        package var status: TroveStatus
        package var length: Int
        package var error: (any Error)?

        init(status: TroveStatus, length: Int = 0, error: (any Error)? = nil) {
            self.status = status
            self.length = length
            self.error = error
        }
    }

    /// Why a load could not even wait.
    package enum LoadRefusal: Error, CustomStringConvertible {
        /// The loader of a key asked for the same key on the same thread.
        case recursive
        /// Waiting would close a cycle of threads waiting for each other's loads.
        case cycle

        package var description: String {
            switch self {
            case .recursive:
                "the loader of this key asked for the same key: it would wait for itself; load other keys only"
            case .cycle:
                "waiting for this key's load would deadlock: its loader waits, directly or not, for this thread's load"
            }
        }
    }

    /// Copies `key`'s value into `buffer`, loading it with `loader` on a miss.
    ///
    /// Concurrent misses of one key run `loader` once; the others wait for it (blocking,
    /// without spinning) and get its outcome. The loaded value is cached with the time to
    /// live it carries, unless a write or an invalidation of the key happened after the
    /// load began (the put or the invalidation wins). A loader that throws caches nothing
    /// and every waiter gets its error; the next call loads again. A loader that finds
    /// nothing caches nothing, unless absent keys are remembered
    /// (`EngineOptions.absentTimeToLiveMilliseconds`).
    ///
    /// A loader may use the cache, including `getOrLoad` of other keys; asking for its own
    /// key returns `.invalidArgument` with `LoadRefusal.recursive` rather than waiting for
    /// itself, and a wait that would close a cycle between threads `LoadRefusal.cycle`.
    ///
    /// - Complexity: A hit costs what `get` costs. A miss adds a registry lookup under a
    ///   lock, and the loader's time for the caller that runs it.
    package func getOrLoad(
        key: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer,
        loader: (UnsafeRawBufferPointer) throws -> LoadedValue
    ) -> LoadingRead {
        let read = get(key: key, into: buffer)
        guard read.status == .notFound else { return LoadingRead(status: read.status, length: read.length) }
        return CacheEngine.deliver(load(key: key) { try loader(key) }, into: buffer)
    }

    /// The miss path of `getOrLoad`: the outcome of this caller's load of `key`, or of the
    /// one in progress that it waited for (`.failed` with a `LoadRefusal` if it could not wait).
    ///
    /// - Parameter tags: The tags `loader`'s value will carry, if the caller knows them
    ///   (see `startLoad`).
    package func load(
        key: UnsafeRawBufferPointer,
        tags: [[UInt8]]? = nil,
        loader: () throws -> LoadedValue
    ) -> LoadOutcome {
        switch startLoad(key: key, blocking: true, tags: tags) {
        case .absent:
            return .absent
        case .recursive:
            return .failed(LoadRefusal.recursive)
        case .join(let load):
            return loads.wait(for: load) ?? .failed(LoadRefusal.cycle)
        case .lead(let load):
            return lead(load, loader: loader)
        }
    }

    /// What a caller that missed `key` should do.
    package enum LoadStart {
        /// Nothing: the key is remembered as absent.
        case absent
        /// Run the loader and end the load (`lead`, or `finish` / `fail`).
        case lead(InFlightLoad)
        /// Wait for this load, which another caller runs.
        case join(InFlightLoad)
        /// The calling thread runs the loader of this very key: waiting would never end.
        case recursive
    }

    /// Registers this caller's load of `key` after a miss, or finds the one in progress.
    ///
    /// - Parameters:
    ///   - blocking: Whether the caller waits on its own thread (a synchronous caller) or
    ///     not (an async one, which has no thread to attribute the load to).
    ///   - tags: The tags the loaded value will carry, if the caller knows them: an
    ///     invalidation of another tag then leaves the load joinable; `nil` (only the loader
    ///     knows) makes every tag invalidation send later callers to a new load.
    package func startLoad(key: UnsafeRawBufferPointer, blocking: Bool, tags declared: [[UInt8]]? = nil) -> LoadStart {
        if loads.isKnownAbsent(key) {
            loads.counters.absentHits.add(1, ordering: .relaxed)
            return .absent
        }
        let epoch = tags.epoch
        switch loads.start(
            key: key,
            hash: KeyHash.hash(key),
            blocking: blocking,
            tagEpoch: epoch,
            declaredTags: declared
        )
        {
        case .lead(let load): return .lead(load)
        case .join(let load): return .join(load)
        case .recursive: return .recursive
        }
    }

    /// Runs `loader` for a load this caller leads (`LoadRegistry.start` said `.lead`),
    /// caches what it found unless the load went stale, and hands the outcome to every waiter.
    package func lead(_ load: InFlightLoad, loader: () throws -> LoadedValue) -> LoadOutcome {
        if let cached = finishIfCached(load) { return cached }
        let started = MonotonicClock.nanoseconds()
        do {
            let loaded = try loader()
            return finish(load, with: loaded, nanoseconds: MonotonicClock.nanoseconds() &- started)
        } catch {
            fail(load, with: error, nanoseconds: MonotonicClock.nanoseconds() &- started)
            return .failed(error)
        }
    }

    /// Completes a load this caller leads with the key's cached value, if a write cached one
    /// between the caller's miss and its registering the load: the write wins and no loader
    /// runs. Returns that outcome, or `nil` if the caller must run its loader.
    package func finishIfCached(_ load: InFlightLoad) -> LoadOutcome? {
        guard let cached = cachedValue(of: load) else { return nil }
        loads.finish(load, .value(cached)) {}
        return .value(cached)
    }

    /// Ends a load this caller leads with what its loader found in `nanoseconds` (for
    /// loaders run elsewhere too, such as an async one): caches it unless the load went
    /// stale, and wakes every waiter.
    package func finish(_ load: InFlightLoad, with loaded: LoadedValue, nanoseconds: UInt64) -> LoadOutcome {
        loads.counters.record(nanoseconds: nanoseconds, failed: false)
        switch loaded {
        case .value(let bytes, let timeToLive, let refresh, let tagList):
            loads.finish(load, .value(bytes)) {
                // A tag of the value invalidated since the load began makes it stale too;
                // and a tagged value reaches the disk only once its directory says so.
                guard tags.allowsCaching(tags: tagList, since: load.tagEpoch),
                    tagList.isEmpty || markTagsInUse() == .ok
                else { return }
                bytes.withUnsafeBytes { value in
                    load.key.withUnsafeBytes { key in
                        guard store(key: key, value: value, ttlMilliseconds: timeToLive) == .ok else { return }
                        tags.set(key: key, tags: tagList)
                        let expiry = WallClock.expiry(afterMilliseconds: timeToLive)
                        scheduleRefresh(key: key, hash: load.hash, refreshMilliseconds: refresh, expiry: expiry)
                    }
                }
            }
            return .value(bytes)
        case .absent:
            // A refresh that finds the key gone takes the cached value out (a miss's load
            // finds nothing to take).
            loads.finish(load, .absent) { load.key.withUnsafeBytes { removeLoaded(key: $0, hash: load.hash) } }
            return .absent
        }
    }

    /// Removes `key`'s entry, which its loader found absent, from memory and disk, and the
    /// refresh scheduled for it. Uncounted, as a load's store is.
    private func removeLoaded(key: UnsafeRawBufferPointer, hash: UInt64) {
        guard let cell = enter() else { return }
        defer { leave(cell) }
        _ = withHot { $0.delete(key: key, hash: hash) }
        loads.refreshes?.forget(key: key, hash: hash)
        tags.remove(key: key)
    }

    /// Ends a load this caller leads whose loader failed after `nanoseconds`: nothing is
    /// cached, and every waiter gets `error`.
    package func fail(_ load: InFlightLoad, with error: any Error, nanoseconds: UInt64) {
        loads.counters.record(nanoseconds: nanoseconds, failed: true)
        loads.finish(load, .failed(error)) {}
    }

    /// The key's value if a write cached it between the caller's miss and its registering
    /// the load: then that write wins and no loader runs. Reads memory only, uncounted.
    func cachedValue(of load: InFlightLoad) -> [UInt8]? {
        load.key.withUnsafeBytes { key -> [UInt8]? in
            guard let cell = enter() else { return nil }
            defer { leave(cell) }
            var value: [UInt8] = []
            while true {
                let outcome = value.withUnsafeMutableBytes { buffer in
                    withHot { $0.read(hash: load.hash, key: key, into: buffer) }
                }
                switch outcome {
                case .hit(let length): return Array(value.prefix(length))
                case .bufferTooSmall(let length): value = [UInt8](repeating: 0, count: length)
                case .miss, .expired: return nil
                }
            }
        }
    }

    /// A load's outcome as a read into `buffer`.
    package static func deliver(_ outcome: LoadOutcome, into buffer: UnsafeMutableRawBufferPointer) -> LoadingRead {
        switch outcome {
        case .value(let bytes):
            guard bytes.count <= buffer.count else { return LoadingRead(status: .bufferTooSmall, length: bytes.count) }
            if !bytes.isEmpty, let destination = buffer.baseAddress {
                bytes.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            }
            return LoadingRead(status: .ok, length: bytes.count)
        case .absent:
            return LoadingRead(status: .notFound)
        case .failed(let refusal as LoadRefusal):
            return LoadingRead(status: .invalidArgument, error: refusal)
        case .failed(let error):
            return LoadingRead(status: .loaderFailed, error: error)
        }
    }
}
