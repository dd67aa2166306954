/// Tags: entries carry up to eight, and invalidating a tag removes every entry carrying
/// it, from memory and disk, in time proportional to their number (see `TagIndex`).
extension CacheEngine {
    /// `put`, with the entry carrying `tags` (replacing any it carried).
    ///
    /// - Returns: What `put` returns; `.invalidArgument` for more than eight tags or a tag
    ///   not 1 to 1024 bytes; the disk's error if its directory cannot be marked as holding
    ///   tagged entries (nothing is written then).
    /// - Complexity: `put`'s, and a lookup under the tag index's lock per tag.
    package func put(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        ttlMilliseconds: UInt64,
        tags tagList: [[UInt8]]
    ) -> TroveStatus {
        if let invalid = TagIndex.validate(tagList) { return invalid.status }
        if !tagList.isEmpty {
            let marked = markTagsInUse()
            guard marked == .ok else { return marked }
        }
        let status = put(key: key, value: value, ttlMilliseconds: ttlMilliseconds)
        guard status == .ok else { return status }
        tags.set(key: key, tags: tagList)
        if tags.needsSweep { sweepTags() }
        return .ok
    }

    /// Removes every entry carrying `tag`, from memory and disk. A load of such an entry
    /// that began before this call, or one whose value carries the tag, caches nothing.
    ///
    /// - Returns: `.ok` with the entries removed (a tagged entry evicted since counts for
    ///   none), or `.closed`; `.invalidArgument` for a tag not 1 to 1024 bytes.
    /// - Complexity: O(entries carrying the tag): no scan of the cache. Tag invalidations of
    ///   one engine run one at a time.
    package func invalidate(tag: UnsafeRawBufferPointer) -> (status: TroveStatus, removed: Int) {
        guard !tag.isEmpty, tag.count <= TagIndex.maximumTagLength else { return (.invalidArgument, 0) }
        guard let cell = enter() else { return (.closed, 0) }
        defer { leave(cell) }
        tags.invalidationLock.lock()
        defer { tags.invalidationLock.unlock() }
        let tagBytes = Array(tag)
        let keys = loads.invalidating(tag: tagBytes) { tags.invalidate(tag: tagBytes) }
        var removed = 0
        for key in keys {
            key.withUnsafeBytes { key in
                // Around the removal, as `delete` tells loads in progress (`LoadRegistry`).
                loads.keyChanged(key)
                if withHot({ $0.delete(key: key, hash: KeyHash.hash(key), cause: .invalidated) }) { removed += 1 }
                loads.keyChanged(key)
            }
        }
        OperationCells.add(UInt64(removed), to: .deletes, in: cell)
        return (.ok, removed)
    }

    /// `key` was written or deleted: loads in progress must not cache over it, and what was
    /// remembered of its old value (absent, a refresh, its tags) no longer applies.
    @inline(__always)
    func keyChanged(_ key: UnsafeRawBufferPointer) {
        loads.keyChanged(key)
        tags.remove(key: key)
    }

    /// Marks the disk tier's directory as holding tagged entries, once per open
    /// (`TagFile`): a crash before `close` saves the tags then empties the disk tier at the
    /// next open rather than let an entry outlive its tag's invalidation.
    ///
    /// - Returns: `.ok` (also without a disk tier), or the disk's error.
    func markTagsInUse() -> TroveStatus {
        guard let path = options.path, coldTier != nil, !tagsMarked.load(ordering: .acquiring) else { return .ok }
        // One lock for the process: marking happens once per open engine.
        CacheEngine.tagMarkerLock.lock()
        defer { CacheEngine.tagMarkerLock.unlock() }
        guard !tagsMarked.load(ordering: .acquiring) else { return .ok }
        do throws(EngineError) {
            try TagFile.markInUse(path)
        } catch {
            return error.status
        }
        tagsMarked.store(true, ordering: .releasing)
        return .ok
    }

    /// Reads the tags saved at the last close; if they were lost (a crash), empties the
    /// disk tier, whose tagged entries could otherwise outlive their tags' invalidation.
    func restoreTags() {
        guard let path = options.path, let cold else { return }
        switch TagFile.read(from: path) {
        case .none:
            return
        case .entries(let entries):
            for entry in entries { entry.key.withUnsafeBytes { tags.set(key: $0, tags: entry.tags) } }
            if markTagsInUse() != .ok { _ = cold.removeAll() }
        case .lost:
            // Only once the disk tier is empty may the marker go: a crash in between repeats this.
            if cold.removeAll() == .ok { TagFile.clear(path) }
        }
    }

    /// Saves the tags into the disk tier's directory at `close`, if any were in use.
    func saveTags() -> TroveStatus {
        guard let path = options.path, tagsMarked.load(ordering: .acquiring) else { return .ok }
        do throws(EngineError) {
            try TagFile.save(tags.snapshot(), to: path)
        } catch {
            return error.status
        }
        return .ok
    }

    /// Drops tagged keys whose entries left the cache on their own (evicted, expired).
    private func sweepTags() {
        tags.sweep { contains(key: $0) == .ok }
    }
}
