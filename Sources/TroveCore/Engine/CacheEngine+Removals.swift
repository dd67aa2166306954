/// The removal listener: told, off the hot path, of every entry that leaves and why.
extension CacheEngine {
    /// Sets the function told of each entry that leaves the cache (see `RemovalQueue` for
    /// the delivery guarantees), or removes it with `nil`.
    ///
    /// Causes: `.evicted`, `.expired`, `.deleted`, `.replaced`, `.invalidated` (prefix,
    /// pattern, clear), `.demoted` (moved to the disk tier). `.droppedFromDisk` is not
    /// reported yet: the disk tier drops whole regions without reading their keys.
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
            let created = try RemovalQueue(listener: listener)
            hot.attach(created)
            removalQueue = created
            return .ok
        } catch {
            return error.status
        }
    }
}
