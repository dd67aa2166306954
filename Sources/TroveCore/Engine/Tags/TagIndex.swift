import Synchronization

/// Which keys carry each tag, so that invalidating a tag removes exactly its entries in
/// time proportional to their number, with no scan of the cache; and which tags each key
/// carries, so that rewriting, deleting or invalidating a key takes it out of its tags.
///
/// Entries that leave on their own (evicted, expired) stay listed until their key is
/// written again, their tag is invalidated, or a sweep (`needsSweep`) finds them gone;
/// invalidating such a key removes nothing. Memory, outside the hot tier's budget
/// (`trove-bench tags`): about 240 bytes per tagged key of 16 bytes with two tags, and
/// about 150 bytes per distinct tag.
///
/// Loads (`LoadRegistry`) that started before a tag's invalidation must not cache a value
/// carrying the tag: `epoch` counts invalidations, each tag remembers the epoch of its
/// last one, and `allowsCaching` compares. The memory of those epochs is bounded: past
/// `invalidationMemory` tags, it is forgotten and every tagged load older than that is
/// refused instead (a value not cached, never a stale one cached).
///
/// `@unchecked Sendable`: the state is reached only under its lock.
package final class TagIndex: @unchecked Sendable {
    /// The most tags one entry may carry.
    package static let maximumTagsPerEntry = 8
    /// The longest tag in bytes (as for keys).
    package static let maximumTagLength = 1024
    /// Tags whose last invalidation epoch is remembered for loads in progress.
    static let invalidationMemory = 4096

    private struct State {
        var keysByTag: [[UInt8]: Set<[UInt8]>] = [:]
        var tagsByKey: [[UInt8]: [[UInt8]]] = [:]
        var invalidatedAt: [[UInt8]: UInt64] = [:]
        /// A tagged load that started before this epoch may not cache (see the type's comment).
        var floor: UInt64 = 0
        /// Tagged keys at the last sweep (or the starting threshold): the next is due at twice.
        var sweepThreshold = 65_536
    }

    private let state = ConditionLockedValue(State())
    /// Held for the whole of a tag invalidation, removals included, so that a second
    /// invalidation of the same entries cannot return before the first has removed them.
    let invalidationLock = ConditionLock()
    /// Keys carrying a tag now: writers of untagged keys skip the lock while it is zero.
    private let taggedKeys = Atomic<Int>(0)
    /// Tag invalidations so far, read lock-free when a load starts.
    private let invalidations = Atomic<UInt64>(0)
    /// Calls of `invalidate(tag:)`, for the statistics.
    package var invalidationCount: UInt64 { invalidations.load(ordering: .relaxed) }

    init() {}

    /// The current invalidation epoch, for a load to remember when it starts.
    var epoch: UInt64 { invalidations.load(ordering: .acquiring) }

    /// Checks a tag list: at most `maximumTagsPerEntry`, each 1 to `maximumTagLength` bytes.
    package static func validate(_ tags: [[UInt8]]) -> EngineError? {
        guard tags.count <= maximumTagsPerEntry else {
            return EngineError(
                .invalidArgument,
                "\(tags.count) tags given; an entry carries at most \(maximumTagsPerEntry)"
            )
        }
        for tag in tags where tag.isEmpty || tag.count > maximumTagLength {
            return EngineError(.invalidArgument, "a tag of \(tag.count) bytes; tags are 1 to \(maximumTagLength) bytes")
        }
        return nil
    }

    /// Tags now, and keys carrying at least one.
    package var counts: (tags: Int, taggedKeys: Int) {
        state.withLock { ($0.keysByTag.count, $0.tagsByKey.count) }
    }

    /// Makes `tags` the tags of `key` (none: untagged), replacing what it carried.
    func set(key: UnsafeRawBufferPointer, tags: [[UInt8]]) {
        if tags.isEmpty {
            remove(key: key)
            return
        }
        let keyBytes = Array(key)
        var unique: [[UInt8]] = []
        for tag in tags where !unique.contains(tag) { unique.append(tag) }
        state.withLock { state in
            if let old = state.tagsByKey[keyBytes] { Self.unlink(keyBytes, from: old, in: &state) }
            state.tagsByKey[keyBytes] = unique
            for tag in unique { state.keysByTag[tag, default: []].insert(keyBytes) }
            taggedKeys.store(state.tagsByKey.count, ordering: .relaxed)
        }
    }

    /// `key` was written untagged, deleted or invalidated: it leaves its tags.
    ///
    /// Costs one atomic load while no key carries a tag.
    @inline(__always)
    func remove(key: UnsafeRawBufferPointer) {
        guard taggedKeys.load(ordering: .relaxed) > 0 else { return }
        removeLocked(key)
    }

    @inline(never)
    private func removeLocked(_ key: UnsafeRawBufferPointer) {
        let keyBytes = Array(key)
        state.withLock { state in
            guard let old = state.tagsByKey.removeValue(forKey: keyBytes) else { return }
            Self.unlink(keyBytes, from: old, in: &state)
            taggedKeys.store(state.tagsByKey.count, ordering: .relaxed)
        }
    }

    /// Every key matching `matches` leaves its tags (a prefix, pattern or clear invalidation).
    ///
    /// - Complexity: O(tagged keys); nothing while none is tagged.
    func remove(where matches: (UnsafeRawBufferPointer) -> Bool) {
        guard taggedKeys.load(ordering: .relaxed) > 0 else { return }
        state.withLock { state in
            for (key, tags) in state.tagsByKey where key.withUnsafeBytes(matches) {
                state.tagsByKey[key] = nil
                Self.unlink(key, from: tags, in: &state)
            }
            taggedKeys.store(state.tagsByKey.count, ordering: .relaxed)
        }
    }

    /// Invalidates `tag`: returns the keys that carried it, each taken out of every tag
    /// (their entries are about to be removed), and records the epoch for loads in progress.
    ///
    /// - Complexity: O(keys carrying the tag × tags per key).
    func invalidate(tag: [UInt8]) -> [[UInt8]] {
        state.withLock { state in
            let epoch = invalidations.add(1, ordering: .acquiringAndReleasing).newValue
            if state.invalidatedAt.count >= TagIndex.invalidationMemory && state.invalidatedAt[tag] == nil {
                state.invalidatedAt = [:]
                state.floor = epoch
            }
            state.invalidatedAt[tag] = epoch
            guard let keys = state.keysByTag.removeValue(forKey: tag) else { return [] }
            for key in keys {
                guard let tags = state.tagsByKey.removeValue(forKey: key) else { continue }
                Self.unlink(key, from: tags.filter { $0 != tag }, in: &state)
            }
            taggedKeys.store(state.tagsByKey.count, ordering: .relaxed)
            return Array(keys)
        }
    }

    /// Whether a load that started at `startEpoch` may cache a value carrying `tags`: none
    /// of them was invalidated since.
    func allowsCaching(tags: [[UInt8]], since startEpoch: UInt64) -> Bool {
        guard !tags.isEmpty, invalidations.load(ordering: .acquiring) != startEpoch else { return true }
        return state.withLock { state in
            guard startEpoch >= state.floor else { return false }
            return !tags.contains { (state.invalidatedAt[$0] ?? 0) > startEpoch }
        }
    }

    /// Whether enough keys were tagged since the last sweep that one should run: the
    /// threshold doubles with the keys that survive, so sweeps cost O(1) per tagging, amortized.
    var needsSweep: Bool {
        let tagged = taggedKeys.load(ordering: .relaxed)
        return tagged >= state.withLock { $0.sweepThreshold }
    }

    /// Drops the keys for which `isCached` is false (entries evicted or expired since they
    /// were tagged), and sets the next sweep's threshold.
    ///
    /// `isCached` is called without the lock held, so it may take engine locks.
    func sweep(keepingOnly isCached: (UnsafeRawBufferPointer) -> Bool) {
        let keys = state.withLock { Array($0.tagsByKey.keys) }
        let gone = keys.filter { !$0.withUnsafeBytes(isCached) }
        state.withLock { state in
            for key in gone {
                guard let tags = state.tagsByKey.removeValue(forKey: key) else { continue }
                Self.unlink(key, from: tags, in: &state)
            }
            state.sweepThreshold = max(65_536, state.tagsByKey.count * 2)
            taggedKeys.store(state.tagsByKey.count, ordering: .relaxed)
        }
    }

    /// Forgets every tag (a clear, or a disk tier found out of step at open).
    func removeAll() {
        state.withLock { state in
            state.keysByTag = [:]
            state.tagsByKey = [:]
            taggedKeys.store(0, ordering: .relaxed)
        }
    }

    /// Every tagged key with its tags, for saving.
    func snapshot() -> [(key: [UInt8], tags: [[UInt8]])] {
        state.withLock { state in state.tagsByKey.map { (key: $0.key, tags: $0.value) } }
    }

    /// Takes `key` out of the key sets of `tags`, dropping tags left with no key.
    private static func unlink(_ key: [UInt8], from tags: [[UInt8]], in state: inout State) {
        for tag in tags {
            // In place: a copy of the set out of the dictionary would copy all its keys.
            guard state.keysByTag[tag]?.remove(key) != nil, state.keysByTag[tag]?.isEmpty == true else { continue }
            state.keysByTag[tag] = nil
        }
    }
}
