/// The removal listener's view of the disk tier: entries that leave it when the writer
/// evicts their region to make room.
extension ColdTier {
    /// One entry an evicted region held for the index.
    struct LeavingEntry {
        var key: [UInt8]
        var expired: Bool
    }

    /// Tells `removals` of each entry that the writer evicts with its region from now on
    /// (`entriesLeaving`); replaces any queue attached before.
    package func attach(_ removals: RemovalQueue) {
        lockedState.withLock { $0.removals = removals }
    }

    /// Reads region `region` back and returns what its eviction takes away: each entry the
    /// index finds there that no logged invalidation hides. Call before the index forgets
    /// the region, then `report(_:to:)` after.
    ///
    /// Only while a listener is set, and not while the writer is behind (regions sealed and
    /// waiting), when the region's notifications are counted as dropped instead: it costs a
    /// read of the whole region per region evicted, as many bytes as the writer wrote. A
    /// region that cannot be read reports nothing.
    func entriesLeaving(region: Int, sequence: UInt64) -> [LeavingEntry] {
        guard let image = try? MappedMemory(byteCount: geometry.regionSize) else { return [] }
        let length = readers.withReader { reader in
            readRegion(region, length: geometry.regionSize, into: image.base, with: reader)
        }
        guard length > 0 else { return [] }
        let invalidations = lockedState.withLock { $0.invalidations }
        let now = WallClock.nowMilliseconds()
        var leaving: [LeavingEntry] = []
        _ = forEachIntactRecord(sequence: sequence, bytes: image.base, length: length) { record, offset, key in
            guard record.kind == .entry else { return }
            let hash = KeyHash.hash(key)
            guard index.lookup(hash: hash) == slot(of: record, at: offset, in: region, hash: hash),
                !invalidations.contains(where: { $0.hides(key: key, recordSequence: sequence, recordOffset: offset) })
            else { return }
            leaving.append(LeavingEntry(key: Array(key), expired: record.expiry != 0 && record.expiry <= now))
        }
        return leaving
    }

    /// Queues a notification for each of `leaving`, `.expired` if its time to live had
    /// passed, else `.droppedFromDisk`, to be delivered only if memory does not hold the key
    /// then: a read may have promoted it before the index forgot the region, and the writer
    /// must not take memory's locks to find out (a put holding one may wait for the writer).
    func report(_ leaving: [LeavingEntry], to removals: RemovalQueue) {
        for entry in leaving {
            entry.key.withUnsafeBytes { key in
                removals.enqueue(key: key, cause: entry.expired ? .expired : .droppedFromDisk, unlessInMemory: true)
            }
        }
    }
}
