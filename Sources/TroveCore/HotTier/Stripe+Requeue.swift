/// Moving entries to another queue outside the eviction walk, for a policy that reorders
/// its cache when it changes its mind about what the cache should hold.
extension Stripe {
    /// Moves live entries of index slots `slots` (clamped to the table) to the head of the
    /// queue `destination` names for them, keeping their access state. The caller holds
    /// the mutex.
    ///
    /// `mayMove` sees the hash bits the slot keeps (`Slot.hashBits`) and must return true for
    /// every entry `destination` might move: it rules entries out before their keys are
    /// read and hashed. `destination` gets the key hash and the entry's queue and returns
    /// the queue to move it to, or `nil` to leave it. Readers see a moved entry as they see
    /// one the eviction walk keeps: through the same locator swap inside a write section.
    ///
    /// - Returns: How many entries moved, or `nil` if one could not be moved because no
    ///   free segment was left (moving never evicts); the entries after it were not visited.
    /// - Complexity: O(slots visited), and a key hash per entry `mayMove` lets through.
    package func requeueEntries(
        inSlots slots: Range<Int>,
        whereHashBits mayMove: (UInt64) -> Bool,
        to destination: (_ hash: UInt64, _ queue: Int) -> Int?
    ) -> Int? {
        var moved = 0
        let finished = forEachLiveEntry(inSlots: slots, whereHashBits: mayMove) { entry in
            let hash = KeyHash.hash(entry.header.key(at: entry.address))
            let queue = Int(metadata(segment(of: entry.locator)).pointee.queue)
            guard let target = destination(hash, queue), target != queue else { return true }
            // The access state stays: a moved entry keeps the reads it was given.
            guard
                move(
                    entry.locator,
                    length: entry.header.totalLength,
                    slotIndex: entry.slotIndex,
                    toQueue: target,
                    update: { $0 }
                )
            else { return false }
            moved += 1
            return true
        }
        return finished ? moved : nil
    }
}
