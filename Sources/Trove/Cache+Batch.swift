import FoundationEssentials
import TroveCore

/// Many keys at once: batched gets, invalidation by prefix or pattern, and metrics text.
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
