/// When each value loaded with a refresh interval falls due (refresh-ahead), and whether
/// its background reload is under way: the first `getOrLoad` hit after the interval claims
/// the reload, and every other read of the key goes on returning the cached value.
///
/// Kept beside the hot tier rather than in each entry's header, so that the entries
/// without an interval (nearly all) pay nothing, and an entry demoted to disk keeps its
/// schedule. Sixteen shards by key hash keep hits on different keys off one lock.
///
/// Bounded: at most `limit` keys. A key whose entry was evicted stays scheduled until its
/// time to live passes (then it is the first to go) or `limit` pushes the earliest-due
/// one out; a key that loses its schedule so is reloaded by a miss, as without refresh.
/// Memory: the key's bytes and about 90 bytes per key, outside the hot tier's budget.
final class RefreshSchedule: Sendable {
    /// One scheduled key.
    private struct Due {
        let key: [UInt8]
        /// Wall-clock milliseconds after which a read starts a reload.
        var refreshAt: UInt64
        let intervalMilliseconds: UInt64
        /// When the cached value expires (0: never): a key past it is dropped first.
        let expiry: UInt64
        /// A reload was claimed and has not ended: no read claims another.
        var reloading = false
    }

    private struct Shard {
        var dues: [UInt64: [Due]] = [:]
        var count = 0
    }

    /// A shard and its lock (a pthread mutex, which ThreadSanitizer sees, as the engine's others are).
    ///
    /// `@unchecked Sendable`: the shard is reached only under its lock.
    private final class LockedShard: @unchecked Sendable {
        let mutex = ConditionLockedValue(Shard())
    }

    private static let shardCount = 16
    private let shards: [LockedShard]
    private let limitPerShard: Int

    /// A schedule for at most about `limit` keys.
    init(limit: Int) {
        limitPerShard = max(limit / RefreshSchedule.shardCount, 16)
        shards = (0..<RefreshSchedule.shardCount).map { _ in LockedShard() }
    }

    /// Keys scheduled now.
    var count: Int { shards.reduce(0) { total, shard in total + shard.mutex.withLock { $0.count } } }

    /// Schedules `key`'s next reload `intervalMilliseconds` from now (replacing what was
    /// scheduled), its cached value expiring at `expiry` (0: never).
    func schedule(key: UnsafeRawBufferPointer, hash: UInt64, intervalMilliseconds: UInt64, expiry: UInt64) {
        let due = Due(
            key: Array(key),
            refreshAt: WallClock.expiry(afterMilliseconds: intervalMilliseconds),
            intervalMilliseconds: intervalMilliseconds,
            expiry: expiry
        )
        shard(hash).mutex.withLock { shard in
            if let position = shard.dues[hash]?.firstIndex(where: { Self.same($0.key, key) }) {
                shard.dues[hash]![position] = due
                return
            }
            if shard.count >= limitPerShard { Self.dropOne(from: &shard) }
            shard.dues[hash, default: []].append(due)
            shard.count += 1
        }
    }

    /// Claims `key`'s reload if it is due (`now` past its refresh time) and none is under
    /// way: the caller must then reload it and end with `reloadEnded`.
    func claim(key: UnsafeRawBufferPointer, hash: UInt64, now: UInt64) -> Bool {
        shard(hash).mutex.withLock { shard in
            guard let position = shard.dues[hash]?.firstIndex(where: { Self.same($0.key, key) }) else { return false }
            let due = shard.dues[hash]![position]
            guard !due.reloading, now >= due.refreshAt else { return false }
            shard.dues[hash]![position].reloading = true
            return true
        }
    }

    /// A claimed reload ended without a new value being scheduled: it failed (`retryLater`:
    /// the next try is after another interval) or could not run (the next due read tries).
    func reloadEnded(key: UnsafeRawBufferPointer, hash: UInt64, retryLater: Bool) {
        shard(hash).mutex.withLock { shard in
            guard let position = shard.dues[hash]?.firstIndex(where: { Self.same($0.key, key) }) else { return }
            shard.dues[hash]![position].reloading = false
            if retryLater {
                let interval = shard.dues[hash]![position].intervalMilliseconds
                shard.dues[hash]![position].refreshAt = WallClock.expiry(afterMilliseconds: interval)
            }
        }
    }

    /// `key` was written, deleted or invalidated: what was scheduled for it no longer applies.
    func forget(key: UnsafeRawBufferPointer, hash: UInt64) {
        shard(hash).mutex.withLock { shard in
            guard var dues = shard.dues[hash], let position = dues.firstIndex(where: { Self.same($0.key, key) })
            else { return }
            dues.remove(at: position)
            shard.dues[hash] = dues.isEmpty ? nil : dues
            shard.count -= 1
        }
    }

    /// Forgets every key matching `matches`.
    ///
    /// - Complexity: O(keys scheduled).
    func forget(where matches: (UnsafeRawBufferPointer) -> Bool) {
        for shard in shards {
            shard.mutex.withLock { shard in
                for (hash, dues) in shard.dues {
                    let kept = dues.filter { !$0.key.withUnsafeBytes(matches) }
                    guard kept.count != dues.count else { continue }
                    shard.count -= dues.count - kept.count
                    shard.dues[hash] = kept.isEmpty ? nil : kept
                }
            }
        }
    }

    /// Forgets every key, giving the memory back (at `close`).
    func removeAll() {
        for shard in shards { shard.mutex.withLock { $0 = Shard() } }
    }

    private func shard(_ hash: UInt64) -> LockedShard {
        // The low bits pick hot-tier stripes and index slots; the high ones are as well mixed.
        shards[Int(hash >> 60)]
    }

    /// Makes room in a full shard: a key whose value has expired if there is one, else the
    /// one due earliest (the likeliest to belong to an entry evicted since).
    private static func dropOne(from shard: inout Shard) {
        let now = WallClock.nowMilliseconds()
        var victim: (hash: UInt64, position: Int, refreshAt: UInt64)?
        search: for (hash, dues) in shard.dues {
            for (position, due) in dues.enumerated() {
                if due.expiry != 0 && due.expiry <= now {
                    victim = (hash, position, 0)
                    break search
                }
                if victim == nil || due.refreshAt < victim!.refreshAt { victim = (hash, position, due.refreshAt) }
            }
        }
        guard let victim, var dues = shard.dues[victim.hash] else { return }
        dues.remove(at: victim.position)
        shard.dues[victim.hash] = dues.isEmpty ? nil : dues
        shard.count -= 1
    }

    private static func same(_ stored: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        stored.count == key.count && stored.withUnsafeBytes { $0.elementsEqual(key) }
    }
}
