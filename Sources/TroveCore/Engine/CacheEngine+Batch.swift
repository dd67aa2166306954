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
        guard let cell = enter() else {
            for index in results.indices { results[index] = ReadResult(status: .closed, length: 0) }
            return
        }
        defer { leave(cell) }
        var misses: [Int] = []
        var batch: [ColdTier.BatchRead] = []
        for index in keys.indices {
            let key = keys[index]
            let valid = CacheEngine.validate(key: key)
            guard valid == .ok else {
                results[index] = ReadResult(status: valid, length: 0)
                continue
            }
            let hash = KeyHash.hash(key)
            switch withHot({ $0.read(hash: hash, key: key, into: buffers[index]) }) {
            case .hit(let length):
                OperationCells.increment(.hits, in: cell)
                results[index] = ReadResult(status: .ok, length: length)
            case .bufferTooSmall(let length):
                results[index] = ReadResult(status: .bufferTooSmall, length: length)
            case .miss, .expired:
                guard coldTier != nil else {
                    OperationCells.increment(.misses, in: cell)
                    results[index] = ReadResult(status: .notFound, length: 0)
                    continue
                }
                misses.append(index)
                batch.append(ColdTier.BatchRead(key: key, hash: hash, buffer: buffers[index]))
            }
        }
        guard !batch.isEmpty else { return }
        withCold { $0?.read(batch: &batch) }
        for (position, index) in misses.enumerated() {
            let read = batch[position]
            results[index] = finish(read.outcome, key: read.key, hash: read.hash, buffer: read.buffer, cell: cell)
        }
    }

    /// Removes every entry whose key starts with `prefix` (every entry if it is empty).
    ///
    /// - Returns: `.ok` with the number removed from memory (disk entries are invalidated
    ///   too, but counting them would mean reading the disk), or `.closed`.
    /// - Complexity: O(entries): each stripe's index is scanned under its lock in turn, so
    ///   other stripes keep serving; entries written during the scan may survive it.
    package func invalidate(prefix: UnsafeRawBufferPointer) -> (status: TroveStatus, removed: Int) {
        removeAll(cold: .prefix(Array(prefix))) { key in
            key.count >= prefix.count
                && (prefix.isEmpty || SharedBytes.equal(key.baseAddress!, prefix.baseAddress!, count: prefix.count))
        }
    }

    /// Removes every entry whose key matches `pattern` (see `KeyPattern`).
    ///
    /// - Returns: `.ok` with the number removed, or `.closed`.
    package func invalidate(matching pattern: KeyPattern) -> (status: TroveStatus, removed: Int) {
        removeAll(cold: .pattern(pattern, source: pattern.source)) { pattern.matches($0) }
    }

    /// Removes matching entries from memory (counted) and logs the invalidation with the
    /// cold tier, whose matching entries cannot be counted without reading the disk.
    private func removeAll(
        cold matcher: ColdInvalidation.Matcher,
        where matches: (UnsafeRawBufferPointer) -> Bool
    ) -> (status: TroveStatus, removed: Int) {
        guard let cell = enter() else { return (.closed, 0) }
        defer { leave(cell) }
        loads.keysChanged(where: matches)
        let removed = hot.removeAll(where: matches)
        loads.keysChanged(where: matches)
        OperationCells.add(UInt64(removed), to: .deletes, in: cell)
        let status = cold?.invalidate(matching: matcher) ?? .ok
        return (status, removed)
    }
}
