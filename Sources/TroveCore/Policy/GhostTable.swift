/// Remembers the hashes of recently evicted keys, for a bounded number of evictions.
///
/// S3-FIFO sends a key straight to its main queue when it comes back soon after being
/// evicted from the small one. An exact ghost FIFO would cost a queue node and a set
/// entry per key; this table keeps 32-bit fingerprints with the eviction number in
/// 4-way buckets, overwriting the oldest, and a key counts as remembered while fewer
/// than `window` evictions have happened since. False positives come only from
/// fingerprint collisions (1 in 2^32 per probe).
///
/// Memory: 8 bytes per slot, with twice as many slots as the window (a power of two);
/// the table grows with the window and its size counts against the cache's budget.
package struct GhostTable {
    private var fingerprints: [UInt32]
    private var stamps: [UInt32]
    private var bucketMask: Int
    private var clock: UInt32 = 0
    /// Evictions a key is remembered for.
    package private(set) var window: Int

    package init(window: Int = 16) {
        self.window = max(window, 16)
        let buckets = GhostTable.buckets(forWindow: self.window)
        bucketMask = buckets - 1
        fingerprints = Array(repeating: 0, count: buckets * 4)
        stamps = Array(repeating: 0, count: buckets * 4)
    }

    private static func buckets(forWindow window: Int) -> Int {
        max((2 * window / 4).nextPowerOfTwo, 4)
    }

    /// The bytes the table occupies.
    package var byteCount: Int { fingerprints.count * 8 }

    /// Sets how many evictions a key is remembered for, growing the table if it is too small.
    ///
    /// Growing forgets what the table held: the ghost is a hint, and a few keys going to
    /// the small queue instead of the main one costs a little hit ratio, never correctness.
    package mutating func setWindow(_ newWindow: Int) {
        window = max(newWindow, 16)
        let buckets = GhostTable.buckets(forWindow: window)
        guard buckets > bucketMask + 1 else { return }
        bucketMask = buckets - 1
        fingerprints = Array(repeating: 0, count: buckets * 4)
        stamps = Array(repeating: 0, count: buckets * 4)
    }

    private func bucket(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> 20) & bucketMask
    }

    private static func fingerprint(_ hash: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: hash) | 1
    }

    /// Remembers an evicted key.
    package mutating func insert(_ hash: UInt64) {
        clock &+= 1
        let base = bucket(hash) * 4
        let print = GhostTable.fingerprint(hash)
        var victim = base
        var victimAge: UInt32 = 0
        for way in base..<base + 4 {
            if fingerprints[way] == print || fingerprints[way] == 0 {
                victim = way
                break
            }
            let age = clock &- stamps[way]
            if age >= victimAge {
                victimAge = age
                victim = way
            }
        }
        fingerprints[victim] = print
        stamps[victim] = clock
    }

    /// Whether the key was evicted within the last `window` evictions; forgets it if so.
    package mutating func remove(_ hash: UInt64) -> Bool {
        let base = bucket(hash) * 4
        let print = GhostTable.fingerprint(hash)
        for way in base..<base + 4 where fingerprints[way] == print {
            fingerprints[way] = 0
            return Int(clock &- stamps[way]) < window
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
