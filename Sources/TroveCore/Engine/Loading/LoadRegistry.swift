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
/// - a put marks *after* it writes, so a load that registered before the write is marked,
///   and one that registered after it finds the written value when it checks again.
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

    /// Loader calls, failed ones, callers that waited for another's load, and loader time.
    let counters = LoadCounters()

    /// A registry whose engine remembers absent keys for `absentTimeToLiveMilliseconds`
    /// (0: not at all), at most `absentLimit` of them.
    init(absentTimeToLiveMilliseconds: UInt64, absentLimit: Int) {
        absentKeys =
            absentTimeToLiveMilliseconds > 0
            ? AbsentKeys(timeToLiveMilliseconds: absentTimeToLiveMilliseconds, limit: absentLimit) : nil
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
    package func start(key: UnsafeRawBufferPointer, hash: UInt64, blocking: Bool) -> Start {
        let me = blocking ? pthread_self() : nil
        return table.withLock { table in
            if let existing = table[hash]?.first(where: { Self.same($0.key, key) }) {
                if let me, let owner = existing.ownerThread, pthread_equal(owner, me) != 0 { return .recursive }
                counters.coalesced.add(1, ordering: .relaxed)
                return .join(existing)
            }
            let load = InFlightLoad(key: Array(key), hash: hash, ownerThread: me)
            table[hash, default: []].append(load)
            activeLoads.add(1, ordering: .sequentiallyConsistent)
            return .lead(load)
        }
    }

    /// Waits, blocking the thread, for `load`, unless the wait would close a cycle of
    /// threads waiting for each other's loads; then returns `nil` at once.
    package func wait(for load: InFlightLoad) -> LoadOutcome? {
        guard LoadWaits.shared.begin(waitingFor: load) else { return nil }
        defer { LoadWaits.shared.end() }
        return load.wait()
    }

    /// Ends a load: unless a write or an invalidation marked it stale, `cache` is called
    /// with a value to store (or the key is remembered as absent), under the lock that marks
    /// take; then every waiter gets `outcome`.
    package func finish(_ load: InFlightLoad, _ outcome: LoadOutcome, cache: () -> Void) {
        table.withLock { table in
            if !load.isStale {
                switch outcome {
                case .value: cache()
                case .absent: load.key.withUnsafeBytes { absentKeys?.remember($0) }
                case .failed: break
                }
                // Only now: an invalidation that finds no load active must find the value cached.
                remove(load, from: &table)
            }
        }
        load.complete(outcome)
    }

    /// Whether a loader found `key` absent recently enough to answer without loading.
    func isKnownAbsent(_ key: UnsafeRawBufferPointer) -> Bool {
        absentKeys?.contains(key) ?? false
    }

    /// `key` was written or deleted: loads of it in progress must not cache their values.
    ///
    /// Costs one atomic load when no load is in progress and no absent key is remembered.
    @inline(__always)
    package func keyChanged(_ key: UnsafeRawBufferPointer) {
        if activeLoads.load(ordering: .sequentiallyConsistent) > 0 { markStale(key) }
        // After the marks: a load that remembered the key as absent did so before its mark.
        absentKeys?.forget(key)
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
    /// - Complexity: O(loads in progress + absent keys remembered), not O(entries).
    package func keysChanged(where matches: (UnsafeRawBufferPointer) -> Bool) {
        defer { absentKeys?.forget(where: matches) }
        guard activeLoads.load(ordering: .sequentiallyConsistent) > 0 else { return }
        table.withLock { table in
            for load in table.values.joined() where load.key.withUnsafeBytes(matches) {
                load.isStale = true
                remove(load, from: &table)
            }
        }
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
