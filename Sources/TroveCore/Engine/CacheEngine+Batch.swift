/// Operations on many keys at once: batched gets, puts and deletes, and invalidation by prefix or pattern.
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
        guard !batch.isEmpty, let ticket = withCold({ $0?.promotionFence.ticket() }) else { return }
        withCold { $0?.read(batch: &batch) }
        for (position, index) in misses.enumerated() {
            let read = batch[position]
            results[index] = finish(
                read.outcome,
                ticket: ticket,
                key: read.key,
                hash: read.hash,
                buffer: read.buffer,
                cell: cell
            )
        }
    }

    /// Inserts or overwrites `keys[i]` with `values[i]` for every `i`, each expiring after
    /// `ttlMilliseconds` (0: never), writing to `statuses[i]` what `put` would return for
    /// that entry alone.
    ///
    /// The entries are grouped by stripe and each stripe's lock is taken once for all of its
    /// entries, in batch order, so of a key given twice the later value stays. The cold tier
    /// sees each entry as it would a single `put`.
    ///
    /// - Precondition: the three buffers have the same count, below 2^31.
    /// - Complexity: O(n + stripes) to group the entries, then what `put` costs for each;
    ///   the grouping is on the stack up to 64 entries, else in one allocation.
    package func putMany(
        keys: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        values: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        ttlMilliseconds: UInt64,
        statuses: UnsafeMutableBufferPointer<TroveStatus>
    ) {
        precondition(keys.count == values.count && keys.count == statuses.count)
        let expiry = WallClock.expiry(afterMilliseconds: ttlMilliseconds)
        // Before and after the writes, as `put` tells loads in progress (`LoadRegistry`).
        for key in keys where CacheEngine.validate(key: key) == .ok { loads.keyChanging(key) }
        writeMany(keys: keys, statuses: statuses, counter: .puts) { index in
            CacheEngine.validate(key: keys[index], value: values[index])
        } write: { hot, batch in
            hot.put(batch: batch, keys: keys, values: values, expiry: expiry, statuses: statuses)
        }
        tellLoads(about: keys, statuses: statuses)
    }

    /// Removes `keys[i]` from memory and disk for every `i`, writing to `statuses[i]` what
    /// `delete` would return for that key alone: `.ok` if it was removed, `.notFound` if
    /// there was none, `.closed`, or a key error.
    ///
    /// As in `putMany`, each stripe's lock is taken once for all of its keys.
    ///
    /// - Precondition: the two buffers have the same count, below 2^31.
    /// - Complexity: O(n + stripes) to group the keys, then what `delete` costs for each.
    package func deleteMany(
        keys: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        statuses: UnsafeMutableBufferPointer<TroveStatus>
    ) {
        precondition(keys.count == statuses.count)
        // Before and after the removals, as `delete` tells loads in progress (`LoadRegistry`).
        for key in keys where CacheEngine.validate(key: key) == .ok { loads.keyChanged(key) }
        writeMany(keys: keys, statuses: statuses, counter: .deletes) { index in
            CacheEngine.validate(key: keys[index])
        } write: { hot, batch in
            hot.delete(batch: batch, keys: keys, statuses: statuses)
        }
        tellLoads(about: keys, statuses: statuses)
    }

    /// Tells loads in progress that the keys a batch wrote or removed changed.
    private func tellLoads(
        about keys: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        statuses: UnsafeMutableBufferPointer<TroveStatus>
    ) {
        for index in keys.indices where statuses[index] != .invalidArgument && statuses[index] != .closed {
            keyChanged(keys[index])
        }
    }

    /// `put`'s checks of an entry, in its order.
    static func validate(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> TroveStatus {
        let valid = validate(key: key)
        guard valid == .ok else { return valid }
        guard value.count < EntryLayout.valueLengthLimit else { return .tooBig }
        guard value.count == 0 || value.baseAddress != nil else { return .invalidArgument }
        return .ok
    }

    /// The frame of a batched write: checks each entry with `validate` (a failure is its
    /// status), hashes the valid ones into a batch (on the stack up to 64 entries, as
    /// `withUnsafeTemporaryAllocation` keeps up to 1 KiB there) and hands it to `write`,
    /// which returns how many to add to `counter`.
    ///
    /// As for single operations, a bad entry gets its own error even once the engine is
    /// closed; the valid ones then get `.closed`.
    private func writeMany(
        keys: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        statuses: UnsafeMutableBufferPointer<TroveStatus>,
        counter: OperationCells.Counter,
        validate: (Int) -> TroveStatus,
        write: (HotTier, UnsafeMutableBufferPointer<HotTier.BatchKey>) -> Int
    ) {
        guard !keys.isEmpty else { return }
        precondition(keys.count <= Int(Int32.max))
        withUnsafeTemporaryAllocation(of: HotTier.BatchKey.self, capacity: keys.count) { storage in
            var count = 0
            for index in keys.indices {
                let status = validate(index)
                statuses[index] = status
                guard status == .ok else { continue }
                // Safe because `count` <= `index` < `keys.count`, the storage's capacity.
                storage.initializeElement(
                    at: count,
                    to: HotTier.BatchKey(hash: KeyHash.hash(keys[index]), index: Int32(index))
                )
                count += 1
            }
            let batch = UnsafeMutableBufferPointer(rebasing: storage[..<count])
            defer { batch.deinitialize() }
            guard let cell = enter() else {
                for entry in batch { statuses[Int(entry.index)] = .closed }
                return
            }
            defer { leave(cell) }
            let done = withHot { write($0, batch) }
            OperationCells.add(UInt64(done), to: counter, in: cell)
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
    ///
    /// Memory goes first, so that what is evicted or written back to disk meanwhile is logged
    /// before the invalidation, which hides it; no disk read promotes meanwhile (`removingInBulk`).
    private func removeAll(
        cold matcher: ColdInvalidation.Matcher,
        where matches: (UnsafeRawBufferPointer) -> Bool
    ) -> (status: TroveStatus, removed: Int) {
        guard let cell = enter() else { return (.closed, 0) }
        defer { leave(cell) }
        return removingInBulk { cold in
            loads.keysChanged(where: matches)
            let removed = hot.removeAll(where: matches)
            loads.keysChanged(where: matches)
            tags.remove(where: matches)
            OperationCells.add(UInt64(removed), to: .deletes, in: cell)
            let status = cold?.invalidate(matching: matcher) ?? .ok
            return (status, removed)
        }
    }

    /// Runs a removal of many entries from both tiers, during which no disk read promotes
    /// what it read, nor afterwards one that began before it (`PromotionFence`): a read
    /// between the memory scan and the disk tier's hiding could otherwise bring an entry back.
    /// Only while the engine is open.
    func removingInBulk<Result>(_ body: (ColdTier?) -> Result) -> Result {
        let cold = self.cold
        cold?.promotionFence.begin()
        defer { cold?.promotionFence.end() }
        return body(cold)
    }
}
