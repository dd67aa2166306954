import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The loads in progress in one engine, found by key, so that concurrent misses of one key
/// run its loader once (single flight), and so that writes and invalidations can stop a
/// load that began before them from caching what is now stale.
///
/// The ordering that makes invalidation atomic with respect to loads:
/// - a load is registered before its loader runs, and caches its value (`finish`) under
///   the registry's lock, unless it was marked stale;
/// - an invalidation (delete, prefix, pattern, clear) marks the matching loads stale
///   under the same locks *before* it removes entries, so a load either cached its value
///   before the mark (and the removal takes it out) or sees the mark and caches nothing;
///   and marks again *after* the removal, because a load registered in between may have
///   found the old entry still cached (its leader checks the cache once more on
///   registering) and must not hand it to callers that arrive after the invalidation;
/// - a put marks *before* it writes, so a load that registered before the put cannot cache
///   its value between the write and a later mark, and again *after* it, so a load that
///   registered in between is marked too (one that registered after the write finds the
///   written value when its leader checks the cache again).
/// A marked load leaves the registry at once: callers arriving after the write or the
/// invalidation start a new load rather than wait for the stale one.
///
/// Writers pay for this only while loads are in progress: `activeLoads` is zero otherwise.
/// Lock order: the registry's lock, then a hot stripe (a load caches its value under the
/// former); no path takes them the other way round.
package final class LoadRegistry: @unchecked Sendable {
    /// One lock for every load: only misses that load, and writes while loads run, take it,
    /// and a lock per stripe would make each closed engine's shell kilobytes larger (the
    /// C handle table keeps up to 4,096 of them).
    private let table = ConditionLockedValue<[UInt64: [InFlightLoad]]>([:])
    /// Loads registered now, read by every write (sequentially consistent with the marks).
    private let activeLoads = Atomic<Int>(0)
    /// Keys a loader found absent, remembered for a while if the engine was asked to.
    let absentKeys: AbsentKeys?

    /// Values loaded with a refresh interval, made with the first of them (most engines
    /// never load one) and kept until the registry goes.
    private let refreshSlot = Atomic<Unmanaged<RefreshSchedule>?>(nil)
    private let refreshLimit: Int

    /// Loader calls, failed ones, callers that waited for another's load, and loader time.
    let counters = LoadCounters()

    /// A registry whose engine remembers absent keys for `absentTimeToLiveMilliseconds`
    /// (0: not at all), at most `absentLimit` of them, and schedules the refreshes of at
    /// most about `refreshLimit` values.
    init(absentTimeToLiveMilliseconds: UInt64, absentLimit: Int, refreshLimit: Int) {
        absentKeys =
            absentTimeToLiveMilliseconds > 0
            ? AbsentKeys(timeToLiveMilliseconds: absentTimeToLiveMilliseconds, limit: absentLimit) : nil
        self.refreshLimit = refreshLimit
    }

    deinit {
        refreshSlot.load(ordering: .acquiring)?.release()
    }

    /// The refresh schedule, if a value was ever loaded with a refresh interval. One
    /// atomic load when none was.
    @inline(__always)
    var refreshes: RefreshSchedule? {
        refreshSlot.load(ordering: .acquiring)?.takeUnretainedValue()
    }

    /// The refresh schedule, made now if no value was loaded with an interval before.
    func makeRefreshes() -> RefreshSchedule {
        if let existing = refreshes { return existing }
        let made = Unmanaged.passRetained(RefreshSchedule(limit: refreshLimit))
        let (installed, current) = refreshSlot.compareExchange(
            expected: nil,
            desired: made,
            ordering: .acquiringAndReleasing
        )
        guard installed else {
            made.release()
            // Safe because the exchange failed only because another thread installed one.
            return current!.takeUnretainedValue()
        }
        return made.takeUnretainedValue()
    }

    /// What a caller that missed should do.
    package enum Start {
        /// Run the loader and `finish` this load.
        case lead(InFlightLoad)
        /// Wait for this load, which another caller runs.
        case join(InFlightLoad)
        /// The calling thread is running the loader of this very key: waiting would never end.
        case recursive
    }

    /// Registers a load of `key`, or finds the one in progress.
    ///
    /// - Parameter blocking: Whether the caller runs (or waits) on its own thread; an async
    ///   caller has no thread to attribute the load to.
    /// - Parameters:
    ///   - tagEpoch: `TagIndex.epoch`, read before this call.
    ///   - declaredTags: The tags the caller says the value will carry, `nil` if it cannot say.
    package func start(
        key: UnsafeRawBufferPointer,
        hash: UInt64,
        blocking: Bool,
        tagEpoch: UInt64,
        declaredTags: [[UInt8]]?
    ) -> Start {
        let me = blocking ? pthread_self() : nil
        return table.withLock { table in
            if let existing = table[hash]?.first(where: { $0.isJoinable && Self.same($0.key, key) }) {
                if let me, let owner = existing.ownerThread, pthread_equal(owner, me) != 0 { return .recursive }
                counters.coalesced.add(1, ordering: .relaxed)
                return .join(existing)
            }
            return .lead(register(key, hash, me, tagEpoch, declaredTags, in: &table))
        }
    }

    /// Registers a load of `key` this caller leads, unless one is in progress (a refresh
    /// then leaves the key to it): the load, or `nil`.
    package func lead(
        key: UnsafeRawBufferPointer,
        hash: UInt64,
        blocking: Bool,
        tagEpoch: UInt64,
        declaredTags: [[UInt8]]?
    ) -> InFlightLoad? {
        let me = blocking ? pthread_self() : nil
        return table.withLock { table in
            guard table[hash]?.contains(where: { Self.same($0.key, key) }) != true else { return nil }
            return register(key, hash, me, tagEpoch, declaredTags, in: &table)
        }
    }

    /// Waits, blocking the thread, for `load`, unless the wait would close a cycle of
    /// threads waiting for each other's loads; then returns `nil` at once.
    package func wait(for load: InFlightLoad) -> LoadOutcome? {
        guard LoadWaits.shared.begin(waitingFor: load) else { return nil }
        defer { LoadWaits.shared.end() }
        return load.wait()
    }

    /// Ends a load: unless a write or an invalidation marked it stale, `cache` is called to
    /// store the value found, or to take out the one cached for a key found absent (which is
    /// then remembered as absent), under the lock that marks take; then every waiter gets `outcome`.
    package func finish(_ load: InFlightLoad, _ outcome: LoadOutcome, cache: () -> Void) {
        table.withLock { table in
            if !load.isStale {
                switch outcome {
                case .value: cache()
                case .absent:
                    cache()
                    load.key.withUnsafeBytes { absentKeys?.remember($0) }
                case .failed: break
                }
                // Only now: an invalidation that finds no load active must find the value cached.
                remove(load, from: &table)
            }
        }
        load.complete(outcome)
    }

    /// A tag is being invalidated by `body`, run while no load can cache its value (under
    /// the lock `finish` caches under), so that the invalidation and a load's check of its
    /// tags cannot interleave. Then callers arriving after the invalidation no longer join
    /// the loads whose value may carry the tag: those that declared it are stale and leave
    /// the registry; those whose tags only the loader knows stay registered, so that a later
    /// write of their key still marks them stale, but are no longer joined.
    ///
    /// - Complexity: O(loads in progress).
    func invalidating<Result>(tag: [UInt8], _ body: () -> Result) -> Result {
        table.withLock { table in
            let result = body()
            for load in table.values.joined() where load.declaredTags?.contains(tag) ?? true {
                load.isJoinable = false
                if load.declaredTags != nil {
                    load.isStale = true
                    remove(load, from: &table)
                }
            }
            return result
        }
    }

    /// Whether a loader found `key` absent recently enough to answer without loading.
    func isKnownAbsent(_ key: UnsafeRawBufferPointer) -> Bool {
        absentKeys?.contains(key) ?? false
    }

    /// `key` is about to be written: loads of it in progress must not cache their values
    /// over the write (`keyChanged` follows the write).
    ///
    /// Costs one atomic load when no load is in progress.
    @inline(__always)
    package func keyChanging(_ key: UnsafeRawBufferPointer) {
        if activeLoads.load(ordering: .sequentiallyConsistent) > 0 { markStale(key) }
    }

    /// `key` was written or deleted: loads of it in progress must not cache their values,
    /// and a refresh scheduled for its old value no longer applies.
    ///
    /// Costs two atomic loads when no load is in progress, no absent key is remembered and
    /// no value was ever loaded with a refresh interval.
    @inline(__always)
    package func keyChanged(_ key: UnsafeRawBufferPointer) {
        if activeLoads.load(ordering: .sequentiallyConsistent) > 0 { markStale(key) }
        // After the marks: a load that remembered the key as absent did so before its mark.
        absentKeys?.forget(key)
        if let refreshes { refreshes.forget(key: key, hash: KeyHash.hash(key)) }
    }

    @inline(never)
    private func markStale(_ key: UnsafeRawBufferPointer) {
        let hash = KeyHash.hash(key)
        table.withLock { table in
            for load in table[hash] ?? [] where Self.same(load.key, key) {
                load.isStale = true
                remove(load, from: &table)
            }
        }
    }

    /// Every key matching `matches` is being invalidated: loads of those keys in progress
    /// must not cache their values, and absent keys among them are forgotten.
    ///
    /// - Complexity: O(loads in progress + absent keys remembered + refreshes scheduled),
    ///   not O(entries).
    package func keysChanged(where matches: (UnsafeRawBufferPointer) -> Bool) {
        defer {
            absentKeys?.forget(where: matches)
            refreshes?.forget(where: matches)
        }
        guard activeLoads.load(ordering: .sequentiallyConsistent) > 0 else { return }
        table.withLock { table in
            for load in table.values.joined() where load.key.withUnsafeBytes(matches) {
                load.isStale = true
                remove(load, from: &table)
            }
        }
    }

    private func register(
        _ key: UnsafeRawBufferPointer,
        _ hash: UInt64,
        _ owner: pthread_t?,
        _ tagEpoch: UInt64,
        _ declaredTags: [[UInt8]]?,
        in table: inout [UInt64: [InFlightLoad]]
    ) -> InFlightLoad {
        let load = InFlightLoad(
            key: Array(key),
            hash: hash,
            ownerThread: owner,
            tagEpoch: tagEpoch,
            declaredTags: declaredTags
        )
        table[hash, default: []].append(load)
        activeLoads.add(1, ordering: .sequentiallyConsistent)
        return load
    }

    private func remove(_ load: InFlightLoad, from table: inout [UInt64: [InFlightLoad]]) {
        guard var loads = table[load.hash], let position = loads.firstIndex(where: { $0 === load }) else { return }
        loads.remove(at: position)
        table[load.hash] = loads.isEmpty ? nil : loads
        activeLoads.subtract(1, ordering: .sequentiallyConsistent)
    }

    private static func same(_ stored: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        stored.count == key.count && stored.withUnsafeBytes { $0.elementsEqual(key) }
    }
}
