/// Remembers the hashes of recently evicted keys, for a bounded number of evictions.
///
/// S3-FIFO sends a key straight to its main queue when it comes back soon after being
/// evicted from the small one. An exact ghost FIFO would cost a queue node and a set
/// entry per key; this table keeps one 32-bit word per key, a 16-bit fingerprint and a
/// 16-bit eviction stamp, in 4-way buckets, overwriting the oldest, and a key counts as
/// remembered while fewer than `window` evictions have happened since. False positives
/// come from fingerprint collisions (about 1 in 16,000 per probe) and from stamps that
/// wrapped around (a bucket untouched for eight capacities: about e^-16 of them).
///
/// Memory: 4 bytes per slot, two slots per remembered eviction: 8 bytes per entry of
/// `capacity`. The slots are allocated on the first insert, so a cache that never evicts
/// pays only for the reservation in its budget, not in resident memory.
package struct GhostTable {
    private var words: [UInt32] = []
    private var bucketCount: Int
    /// Stamps count evictions in granules of `1 << granuleShift`, so that a capacity spans
    /// at most 8,192 of the 65,536 stamp values.
    private var granuleShift: Int
    private var clock: UInt64 = 0
    /// Evictions a key is remembered for.
    package private(set) var window: Int
    /// The most evictions the table remembers well; `window` never exceeds it.
    package private(set) var capacity: Int
    /// Whether `setWindow` may grow the table past `capacity` (tables whose memory the
    /// stripe reserved from its budget may not).
    private let growable: Bool

    /// A table remembering up to `capacity` evictions (16 at least), which grows for a
    /// larger window if `growable`.
    package init(capacity: Int = 16, growable: Bool = true) {
        self.growable = growable
        self.capacity = max(capacity, 16)
        window = self.capacity
        bucketCount = GhostTable.buckets(forCapacity: self.capacity)
        granuleShift = max(Int.bitWidth - self.capacity.leadingZeroBitCount - 13, 0)
    }

    private static func buckets(forCapacity capacity: Int) -> Int {
        max((2 * capacity + 3) / 4, 4)
    }

    /// The bytes a table of `capacity` takes once written to.
    package static func byteCount(capacity: Int) -> Int {
        buckets(forCapacity: max(capacity, 16)) * 4 * 4
    }

    /// The bytes the table takes (reserved: its slots exist once the first key is inserted).
    package var byteCount: Int { bucketCount * 4 * 4 }

    /// Sets how many evictions a key is remembered for: at most the capacity of a table
    /// that is not growable; a growable one grows (forgetting what it held) if needed.
    ///
    /// Forgetting is safe: the ghost is a hint, and a few keys going to the small queue
    /// instead of the main one costs a little hit ratio, never correctness.
    package mutating func setWindow(_ newWindow: Int) {
        if growable && newWindow > capacity { self = GhostTable(capacity: newWindow) }
        window = min(max(newWindow, 16), capacity)
    }

    private func bucket(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: ((hash & 0xFFFF_FFFF) &* UInt64(bucketCount)) >> 32)
    }

    /// Bits 32...47 of the hash: bits the bucket (mostly bits 12...31) does not depend on.
    private static func fingerprint(_ hash: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: hash >> 32) & 0xFFFF | 1
    }

    private var stamp: UInt32 { UInt32(truncatingIfNeeded: clock >> UInt64(granuleShift)) & 0xFFFF }

    /// Evictions since `word` was stamped, to within a granule.
    private func age(_ word: UInt32) -> Int {
        Int((stamp &- word) & 0xFFFF) << granuleShift
    }

    /// Remembers an evicted key.
    package mutating func insert(_ hash: UInt64) {
        if words.isEmpty { words = Array(repeating: 0, count: bucketCount * 4) }
        clock &+= 1
        let base = bucket(hash) * 4
        let print = GhostTable.fingerprint(hash)
        var victim = base
        var victimAge = -1
        for way in base..<base + 4 {
            let word = words[way]
            if word >> 16 == print || word == 0 {
                victim = way
                break
            }
            let age = age(word)
            if age >= victimAge {
                victimAge = age
                victim = way
            }
        }
        words[victim] = print << 16 | stamp
    }

    /// Whether the key was evicted within the last `window` evictions; forgets it if so.
    package mutating func remove(_ hash: UInt64) -> Bool {
        guard !words.isEmpty else { return false }
        let base = bucket(hash) * 4
        let print = GhostTable.fingerprint(hash)
        for way in base..<base + 4 where words[way] >> 16 == print {
            let remembered = age(words[way]) < window
            words[way] = 0
            return remembered
        }
        return false
    }
}

extension Int {
    /// The smallest power of two at least `self` (1 for values below 1).
    var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
