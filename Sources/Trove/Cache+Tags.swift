import FoundationEssentials
import TroveCore

/// Tags: cascading invalidation without a scan.
///
/// ```swift
/// try cache.put("goal:7:user42", goal, tags: ["user42", "goals:user42"])
/// try cache.invalidate(tag: "goals:user42")   // every entry carrying the tag, memory and disk
/// ```
///
/// An entry carries up to eight tags of 1 to 1024 bytes (UTF-8 here); a put without tags
/// drops the ones it carried. Invalidating a tag costs time proportional to the entries
/// carrying it, however large the cache. Tags survive `close` and a reopen of the same
/// disk directory; a process that stops without `close` loses them, and the next open
/// empties the disk tier rather than keep entries whose tags it no longer knows. Memory,
/// outside the budget (`trove-bench tags`): about 240 bytes per tagged entry with a
/// 16-byte key and two tags, and about 150 bytes per distinct tag.
extension Cache {
    /// Stores `value` under `key`, carrying `tags` (replacing any the key carried).
    ///
    /// - Throws: `TroveError` as `put` does, and `.invalidArgument` for more than eight
    ///   tags or an empty one or one over 1024 bytes (nothing is written).
    /// - Complexity: `put`'s, and a lookup under the tag index's lock per tag.
    public func put(
        _ key: some ContiguousBytes,
        _ value: some ContiguousBytes,
        timeToLive: Duration? = nil,
        tags: [String]
    ) throws(TroveError) {
        let tagList = try Cache.tagBytes(tags)
        let milliseconds = try Cache.milliseconds(timeToLive)
        let status = key.withUnsafeBytes { key in
            value.withUnsafeBytes { value in
                engine.put(key: key, value: value, ttlMilliseconds: milliseconds, tags: tagList)
            }
        }
        guard status == .ok else { throw TroveError(status: status) }
    }

    /// Stores the UTF-8 `value` under the UTF-8 `key`, carrying `tags`; see `put(_:_:timeToLive:tags:)`.
    ///
    /// - Throws: `TroveError` as for the byte form.
    public func put(_ key: String, _ value: String, timeToLive: Duration? = nil, tags: [String]) throws(TroveError) {
        try put(Array(key.utf8), Array(value.utf8), timeToLive: timeToLive, tags: tags)
    }

    /// Removes every entry carrying `tag`, from memory and disk; returns how many.
    ///
    /// A load that began before this call, of such an entry or of a value carrying the
    /// tag, caches nothing.
    ///
    /// - Throws: `TroveError(.invalidArgument)` for an empty tag or one over 1024 bytes, or `.closed`.
    /// - Complexity: O(entries carrying the tag).
    @discardableResult
    public func invalidate(tag: String) throws(TroveError) -> Int {
        let (status, removed) = Array(tag.utf8).withUnsafeBytes { engine.invalidate(tag: $0) }
        guard status == .ok else {
            if status == .invalidArgument { throw TroveError(.invalidArgument, "a tag is 1 to 1024 bytes") }
            throw TroveError(status: status)
        }
        return removed
    }

    /// The UTF-8 bytes of `tags`, checked.
    static func tagBytes(_ tags: [String]) throws(TroveError) -> [[UInt8]] {
        let bytes = tags.map { Array($0.utf8) }
        if let invalid = TagIndex.validate(bytes) { throw TroveError(invalid) }
        return bytes
    }
}
