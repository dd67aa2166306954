/// Operations on many keys at once: batched gets and invalidation by prefix or pattern.
extension CacheEngine {
    /// Copies the values of `keys[i]` into `buffers[i]`, writing each outcome to `results[i]`.
    ///
    /// Each result is what `get` would return for that key alone. Batching lets the cold
    /// tier submit all its disk reads at once; in memory it saves a call per key.
    ///
    /// - Precondition: the three buffers have the same count.
    package func getMany(
        keys: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        buffers: UnsafeBufferPointer<UnsafeMutableRawBufferPointer>,
        results: UnsafeMutableBufferPointer<ReadResult>
    ) {
        precondition(keys.count == buffers.count && keys.count == results.count)
        for index in keys.indices {
            results[index] = get(key: keys[index], into: buffers[index])
        }
    }

    /// Removes every entry whose key starts with `prefix` (every entry if it is empty).
    ///
    /// - Returns: `.ok` with the number removed, or `.closed`.
    /// - Complexity: O(entries): each stripe's index is scanned under its lock in turn, so
    ///   other stripes keep serving; entries written during the scan may survive it.
    package func invalidate(prefix: UnsafeRawBufferPointer) -> (status: TroveStatus, removed: Int) {
        removeAll { key in
            key.count >= prefix.count
                && (prefix.isEmpty || SharedBytes.equal(key.baseAddress!, prefix.baseAddress!, count: prefix.count))
        }
    }

    /// Removes every entry whose key matches `pattern` (see `KeyPattern`).
    ///
    /// - Returns: `.ok` with the number removed, or `.closed`.
    package func invalidate(matching pattern: KeyPattern) -> (status: TroveStatus, removed: Int) {
        removeAll { pattern.matches($0) }
    }

    private func removeAll(where matches: (UnsafeRawBufferPointer) -> Bool) -> (status: TroveStatus, removed: Int) {
        guard let cell = enter() else { return (.closed, 0) }
        defer { leave(cell) }
        var removed = 0
        for stripe in hot.stripes {
            removed += stripe.header.mutex.withLock { stripe.removeAll(where: matches) }
        }
        AtomicWords.add(UInt64(removed), cell + OperationCells.Counter.deletes.rawValue * 8)
        return (.ok, removed)
    }
}
