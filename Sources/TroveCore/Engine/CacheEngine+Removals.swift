/// The removal listener: told, off the hot path, of every entry that leaves and why.
extension CacheEngine {
    /// Sets the function told of each entry that leaves the cache (see `RemovalQueue` for
    /// the delivery guarantees), or removes it with `nil`.
    ///
    /// Causes: `.evicted`, `.expired`, `.deleted`, `.replaced`, `.invalidated` (prefix,
    /// pattern, clear), `.demoted` (moved to the disk tier), `.droppedFromDisk` (its region
    /// evicted from the disk tier; while a listener is set, the writer reads each region
    /// back before it evicts it to find these).
    ///
    /// - Returns: `.ok`, `.closed`, or `.outOfMemory` if the delivery thread cannot start.
    package func setRemovalListener(_ listener: RemovalQueue.Listener?) -> TroveStatus {
        guard let cell = enter() else { return .closed }
        defer { leave(cell) }
        CacheEngine.removalsLock.lock()
        defer { CacheEngine.removalsLock.unlock() }
        if let removalQueue {
            removalQueue.setListener(listener)
            return .ok
        }
        guard let listener else { return .ok }
        do throws(EngineError) {
            // Weak: the queue lives as long as the engine; a closed engine holds nothing.
            let created = try RemovalQueue(listener: listener) { [weak self] key in
                guard let self, let cell = enter() else { return false }
                defer { leave(cell) }
                return hot.holds(hash: KeyHash.hash(key), key: key)
            }
            hot.attach(created)
            cold?.attach(created)
            removalQueue = created
            return .ok
        } catch {
            return error.status
        }
    }
}
