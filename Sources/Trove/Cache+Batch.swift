import FoundationEssentials
import TroveCore

/// Many keys at once: batched gets, puts and deletes, invalidation by prefix or pattern, and metrics text.
extension Cache {
    /// The values of `keys`, in order; `nil` where a key is not cached.
    ///
    /// With a disk tier, the disk reads of the whole batch are issued together.
    /// - Throws: `TroveError` for an invalid key or a closed cache.
    public func get(many keys: [[UInt8]]) throws(TroveError) -> [[UInt8]?] {
        var values: [[UInt8]?] = []
        values.reserveCapacity(keys.count)
        for key in keys {
            values.append(try get(key))
        }
        return values
    }

    /// Stores every entry of `entries`, in order, each under its key, as many `put` calls would.
    ///
    /// The entries are grouped by lock stripe and each stripe's lock is taken once, so a batch
    /// costs far less than a call per entry. Of a key given twice, the later value stays.
    ///
    /// - Parameters:
    ///   - entries: The keys (1 to 1,024 bytes each) and values to store, copied in.
    ///   - timeToLive: How long every entry stays readable; `nil` for no expiry.
    /// - Returns: For each entry, in order, `.success` if it was stored, or the error `put`
    ///   would have thrown for it alone (an invalid key, an entry too big, no memory); a bad
    ///   entry does not stop the others.
    /// - Throws: `TroveError` for a `timeToLive` that is not positive, or a closed cache;
    ///   nothing is stored then.
    /// - Complexity: O(n + stripes) to group the entries, then what `put` costs for each, plus a
    ///   copy of the keys and values into one buffer.
    public func put(
        many entries: [(key: some ContiguousBytes, value: some ContiguousBytes)],
        timeToLive: Duration? = nil
    ) throws(TroveError) -> [Result<Void, TroveError>] {
        var keys = PackedBytes(reservingCapacity: entries.count)
        var values = PackedBytes(reservingCapacity: entries.count)
        for entry in entries {
            keys.append(entry.key)
            values.append(entry.value)
        }
        return try put(keys: keys, values: values, count: entries.count, timeToLive: timeToLive)
    }

    /// Stores the UTF-8 bytes of every value of `entries` under the UTF-8 bytes of its key, in
    /// order, as `put(many:timeToLive:)` does for bytes.
    ///
    /// - Returns: For each entry, in order, `.success` or the error `put` would have thrown for it.
    /// - Throws: `TroveError` for a `timeToLive` that is not positive, or a closed cache.
    public func put(
        many entries: [(key: String, value: String)],
        timeToLive: Duration? = nil
    ) throws(TroveError) -> [Result<Void, TroveError>] {
        var keys = PackedBytes(reservingCapacity: entries.count)
        var values = PackedBytes(reservingCapacity: entries.count)
        for entry in entries {
            keys.append(utf8: entry.key)
            values.append(utf8: entry.value)
        }
        return try put(keys: keys, values: values, count: entries.count, timeToLive: timeToLive)
    }

    /// Removes every key of `keys`, as many `delete` calls would, taking each lock stripe's
    /// lock once for all of its keys.
    ///
    /// - Parameter keys: The keys to remove from memory and disk.
    /// - Returns: For each key, in order, whether it was removed (`false`: it was not cached),
    ///   or the error `delete` would have thrown for it alone (an invalid key).
    /// - Throws: `TroveError(.closed)` if the cache was closed; nothing is removed then.
    /// - Complexity: O(n + stripes) to group the keys, then what `delete` costs for each.
    @discardableResult
    public func delete(many keys: [some ContiguousBytes]) throws(TroveError) -> [Result<Bool, TroveError>] {
        var packed = PackedBytes(reservingCapacity: keys.count)
        for key in keys { packed.append(key) }
        return try delete(keys: packed, count: keys.count)
    }

    /// Removes every UTF-8 key of `keys`, as `delete(many:)` does for bytes.
    ///
    /// - Returns: For each key, in order, whether it was removed, or the error `delete` would have thrown for it.
    /// - Throws: `TroveError(.closed)` if the cache was closed.
    @discardableResult
    public func delete(many keys: [String]) throws(TroveError) -> [Result<Bool, TroveError>] {
        var packed = PackedBytes(reservingCapacity: keys.count)
        for key in keys { packed.append(utf8: key) }
        return try delete(keys: packed, count: keys.count)
    }

    private func put(
        keys: PackedBytes,
        values: PackedBytes,
        count: Int,
        timeToLive: Duration?
    ) throws(TroveError) -> [Result<Void, TroveError>] {
        let milliseconds = try Cache.milliseconds(timeToLive)
        var statuses = [TroveStatus](repeating: .ok, count: count)
        keys.withBuffers { keys in
            values.withBuffers { values in
                statuses.withUnsafeMutableBufferPointer {
                    engine.putMany(keys: keys, values: values, ttlMilliseconds: milliseconds, statuses: $0)
                }
            }
        }
        return try Cache.results(of: statuses) { _ in () }
    }

    private func delete(keys: PackedBytes, count: Int) throws(TroveError) -> [Result<Bool, TroveError>] {
        var statuses = [TroveStatus](repeating: .ok, count: count)
        keys.withBuffers { keys in
            statuses.withUnsafeMutableBufferPointer { engine.deleteMany(keys: keys, statuses: $0) }
        }
        return try Cache.results(of: statuses) { $0 == .ok }
    }

    /// Each entry's status as a result: `success` for `.ok` and `.notFound` (mapped by
    /// `success`), else the error. A closed engine fails the whole call instead.
    private static func results<Success>(
        of statuses: [TroveStatus],
        success: (TroveStatus) -> Success
    ) throws(TroveError) -> [Result<Success, TroveError>] {
        if statuses.contains(.closed) { throw TroveError(status: .closed) }
        return statuses.map { status in
            status.isError ? .failure(TroveError(status: status)) : .success(success(status))
        }
    }

    /// Removes every entry whose key starts with `prefix`; returns how many.
    ///
    /// - Complexity: O(entries): the whole index is scanned, one stripe at a time.
    /// - Throws: `TroveError(.closed)` if the cache was closed.
    @discardableResult
    public func invalidate(prefix: some ContiguousBytes) throws(TroveError) -> Int {
        let (status, removed) = prefix.withUnsafeBytes { engine.invalidate(prefix: $0) }
        guard status == .ok else { throw TroveError(status: status) }
        return removed
    }

    /// Removes every entry whose key starts with the UTF-8 bytes of `prefix`; returns how many.
    @discardableResult
    public func invalidate(prefix: String) throws(TroveError) -> Int {
        try invalidate(prefix: Array(prefix.utf8))
    }

    /// Removes every entry whose key matches a shell-style `pattern` (`*`, `?`, `[a-z]`,
    /// `[!a-z]`, `\` escapes, over the key's bytes); returns how many.
    ///
    /// - Throws: `TroveError(.invalidArgument)` for a malformed pattern, or `.closed`.
    @discardableResult
    public func invalidate(matching pattern: String) throws(TroveError) -> Int {
        let compiled: KeyPattern
        do {
            compiled = try KeyPattern(Array(pattern.utf8))
        } catch {
            throw TroveError(error)
        }
        let (status, removed) = engine.invalidate(matching: compiled)
        guard status == .ok else { throw TroveError(status: status) }
        return removed
    }

    /// The statistics in the Prometheus text exposition format, ready to serve on `/metrics`.
    ///
    /// - Throws: `TroveError(.closed)` if the cache was closed.
    public func metricsText() throws(TroveError) -> String {
        guard let stats = engine.statistics() else { throw TroveError(status: .closed) }
        return MetricsText.render(stats)
    }
}
