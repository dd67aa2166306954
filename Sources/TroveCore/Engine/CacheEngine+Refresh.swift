/// Refresh-ahead: a value loaded with a refresh interval is reloaded in the background by
/// the first `getOrLoad` hit after the interval, through that caller's loader, while every
/// read goes on getting the cached value at once.
///
/// The reload is an ordinary single-flight load that does not look at the cache first: a
/// miss of the key meanwhile (its value expired, say) waits for it rather than loading
/// again, and a write or an invalidation of the key meanwhile makes it cache nothing. A
/// reload that fails keeps the cached value until its time to live and tries again after
/// another interval; one that finds the key absent removes the cached value.
extension CacheEngine {
    /// Whether the engine's refresh thread runs, and its worker.
    enum RefreshThreadState {
        case none
        case running(RefreshWorker)
        case stopped
    }

    /// Whether the hit of `key` that a `getOrLoad` caller just had should start a
    /// background reload: the value was loaded with a refresh interval that has passed, and
    /// no reload of it is under way. `true` claims the reload: the caller must start it
    /// (`refreshInBackground`, or `startRefresh` and a loader of its own).
    ///
    /// - Complexity: One atomic load unless a value was ever loaded with a refresh interval;
    ///   then a lookup under one of sixteen locks.
    @inline(__always)
    package func claimRefresh(key: UnsafeRawBufferPointer) -> Bool {
        guard let schedule = loads.refreshes else { return false }
        return schedule.claim(key: key, hash: KeyHash.hash(key), now: WallClock.nowMilliseconds())
    }

    /// Reloads `key`, whose refresh the caller claimed, with `loader` on the engine's
    /// refresh thread, one reload at a time. If the thread cannot take it (1,024 reloads
    /// waiting, the engine closing, no thread to be had), the claim is given back for a
    /// later read to make.
    package func refreshInBackground(key: [UInt8], loader: @escaping @Sendable () throws -> LoadedValue) {
        // Weak: a reload waiting when the engine is released finds nothing to refresh.
        let job: RefreshWorker.Job = { [weak self] in self?.refresh(key: key, loader: loader) }
        guard let worker = refreshWorker(), worker.submit(job) else {
            key.withUnsafeBytes { loads.refreshes?.reloadEnded(key: $0, hash: KeyHash.hash($0), retryLater: false) }
            return
        }
    }

    /// Registers the reload of `key`, whose refresh the caller claimed, as the key's load:
    /// the caller runs the loader and ends it with `finish` or `failRefresh`. Returns `nil`
    /// (and gives the claim back) if a load of the key is already in progress: it brings a
    /// fresh value.
    ///
    /// - Parameter blocking: Whether the loader runs on the calling thread (see `startLoad`).
    package func startRefresh(key: [UInt8], blocking: Bool) -> InFlightLoad? {
        key.withUnsafeBytes { bytes -> InFlightLoad? in
            let hash = KeyHash.hash(bytes)
            let epoch = tags.epoch
            guard let load = loads.lead(key: bytes, hash: hash, blocking: blocking, tagEpoch: epoch, declaredTags: nil)
            else {
                loads.refreshes?.reloadEnded(key: bytes, hash: hash, retryLater: false)
                return nil
            }
            loads.counters.refreshes.add(1, ordering: .relaxed)
            return load
        }
    }

    /// Ends a reload whose loader failed after `nanoseconds`: the cached value stays, the
    /// failure is counted, and the key is due again after another interval.
    package func failRefresh(_ load: InFlightLoad, with error: any Error, nanoseconds: UInt64) {
        loads.counters.refreshFailures.add(1, ordering: .relaxed)
        fail(load, with: error, nanoseconds: nanoseconds)
        load.key.withUnsafeBytes { loads.refreshes?.reloadEnded(key: $0, hash: load.hash, retryLater: true) }
    }

    /// Runs a claimed reload on the calling thread.
    private func refresh(key: [UInt8], loader: () throws -> LoadedValue) {
        guard let load = startRefresh(key: key, blocking: true) else { return }
        let started = MonotonicClock.nanoseconds()
        do {
            let loaded = try loader()
            _ = finish(load, with: loaded, nanoseconds: MonotonicClock.nanoseconds() &- started)
        } catch {
            failRefresh(load, with: error, nanoseconds: MonotonicClock.nanoseconds() &- started)
        }
    }

    /// After a load stored `key`'s value: schedules its reload `refreshMilliseconds` from
    /// now (with the value expiring at `expiry`), or, with no interval, drops what was
    /// scheduled for an earlier value.
    func scheduleRefresh(key: UnsafeRawBufferPointer, hash: UInt64, refreshMilliseconds: UInt64, expiry: UInt64) {
        if refreshMilliseconds > 0 {
            loads.makeRefreshes().schedule(
                key: key,
                hash: hash,
                intervalMilliseconds: refreshMilliseconds,
                expiry: expiry
            )
        } else if let schedule = loads.refreshes {
            schedule.forget(key: key, hash: hash)
        }
    }

    /// The refresh thread's worker, started now if this is the engine's first background
    /// reload; `nil` once the engine is closing, or if no thread can be started.
    private func refreshWorker() -> RefreshWorker? {
        CacheEngine.refreshLock.lock()
        defer { CacheEngine.refreshLock.unlock() }
        switch refreshThread {
        case .running(let worker):
            return worker
        case .stopped:
            return nil
        case .none:
            guard let worker = try? RefreshWorker() else { return nil }
            refreshThread = .running(worker)
            return worker
        }
    }

    /// Stops the refresh thread (waiting for the reload in progress) and forgets every
    /// schedule; no reload starts after. Called by `close`.
    func stopRefreshes() {
        CacheEngine.refreshLock.lock()
        let state = refreshThread
        refreshThread = .stopped
        CacheEngine.refreshLock.unlock()
        if case .running(let worker) = state { worker.stop() }
        loads.refreshes?.removeAll()
    }
}
