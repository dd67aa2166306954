/// A prefix or pattern invalidation that records written before it must honour.
///
/// Keys live only on disk, so invalidating by prefix or pattern cannot remove index
/// entries up front. Instead the invalidation is logged as a record and kept here with
/// its position in write order; a read of an older record whose key matches treats it
/// as deleted. Once every region older than the invalidation has been evicted it can
/// match nothing more and is dropped.
struct ColdInvalidation {
    enum Matcher {
        case prefix([UInt8])
        case pattern(KeyPattern, source: [UInt8])
    }

    var matcher: Matcher
    /// The region sequence and offset it was logged at.
    var sequence: UInt64
    var offset: Int

    /// Whether a record at (`recordSequence`, `recordOffset`) with this `key` was written before and matches.
    func hides(key: UnsafeRawBufferPointer, recordSequence: UInt64, recordOffset: Int) -> Bool {
        guard recordSequence < sequence || (recordSequence == sequence && recordOffset < offset) else { return false }
        switch matcher {
        case .prefix(let prefix):
            return key.count >= prefix.count && zip(key, prefix).allSatisfy { $0 == $1 }
        case .pattern(let pattern, _):
            return pattern.matches(key)
        }
    }

    /// The bytes logged for it (the prefix or the pattern's source).
    var bytes: [UInt8] {
        switch matcher {
        case .prefix(let prefix): prefix
        case .pattern(_, let source): source
        }
    }

    var kind: ColdRecord.Kind {
        switch matcher {
        case .prefix: .prefixInvalidation
        case .pattern: .patternInvalidation
        }
    }
}
