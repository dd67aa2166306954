/// A latency histogram with the buckets of the C peers: 1 ns buckets below 65 536 ns, then 16 log-linear buckets
/// per power of two (each at most 6.25 % wide) up to 2^64 ns.
///
/// A percentile reports the lower bound of the bucket holding it, exactly as `hist_pct` in the C reference, so
/// latencies compare across peers bucket for bucket. The counts (66 304 words, 518 KiB) are allocated once by
/// `init()`; recording never allocates. Per-thread histograms are combined with `merge(_:)`.
struct LatencyHistogram: Sendable {
    /// Latencies below this many nanoseconds have a bucket each.
    static let linearLimit = 65_536
    /// Log-linear buckets per power of two above `linearLimit`.
    static let bucketsPerOctave = 16
    /// Total buckets: the linear ones plus 48 octaves (2^16 ... 2^63) of log-linear ones.
    static let bucketCount = linearLimit + 48 * bucketsPerOctave

    /// Samples per bucket, `bucketCount` of them.
    private(set) var counts: [UInt64]

    /// Creates an empty histogram.
    ///
    /// - Complexity: O(`bucketCount`); allocates and touches the counts.
    init() {
        self.counts = [UInt64](repeating: 0, count: LatencyHistogram.bucketCount)
    }

    /// Returns the bucket that holds a sample of `nanoseconds`.
    ///
    /// - Complexity: O(1), branch and shifts only; it runs on the measured path.
    @inline(__always)
    static func bucket(for nanoseconds: UInt64) -> Int {
        if nanoseconds < UInt64(linearLimit) {
            return Int(nanoseconds)
        }
        let octave = 63 - nanoseconds.leadingZeroBitCount
        let subBucket = Int(truncatingIfNeeded: (nanoseconds >> UInt64(octave - 4)) & 15)
        return linearLimit + (octave - 16) * bucketsPerOctave + subBucket
    }

    /// Returns the smallest latency, in nanoseconds, that falls into `bucket`.
    static func lowerBound(ofBucket bucket: Int) -> UInt64 {
        if bucket < linearLimit {
            return UInt64(bucket)
        }
        let logLinear = bucket - linearLimit
        return UInt64(16 + logLinear % bucketsPerOctave) << UInt64(16 + logLinear / bucketsPerOctave - 4)
    }

    /// The number of samples recorded.
    ///
    /// - Complexity: O(`bucketCount`).
    var sampleCount: UInt64 {
        counts.reduce(0, &+)
    }

    /// Records one sample.
    mutating func record(_ nanoseconds: UInt64) {
        counts[LatencyHistogram.bucket(for: nanoseconds)] &+= 1
    }

    /// Calls `body` with the counts as a mutable buffer, for recording from a hot loop without per-sample
    /// uniqueness checks.
    ///
    /// - Warning: the buffer must not escape `body`.
    mutating func withUnsafeMutableCounts<Result>(
        _ body: (UnsafeMutableBufferPointer<UInt64>) throws -> Result
    ) rethrows -> Result {
        try counts.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Adds every sample of `other` to this histogram.
    ///
    /// - Complexity: O(`bucketCount`).
    mutating func merge(_ other: LatencyHistogram) {
        for bucket in counts.indices {
            counts[bucket] &+= other.counts[bucket]
        }
    }

    /// Returns the `fraction` percentile (0.5 for the median) as the lower bound of its bucket, or 0 when empty.
    ///
    /// The percentile is the bucket in which the running count first reaches `ceil(fraction * samples)` (at least
    /// 1), as in the C reference.
    ///
    /// - Parameter fraction: the percentile as a fraction, in 0...1.
    /// - Complexity: O(`bucketCount`).
    func percentile(_ fraction: Double) -> UInt64 {
        precondition((0.0...1.0).contains(fraction), "a percentile is a fraction in 0...1")
        let total = sampleCount
        if total == 0 {
            return 0
        }
        let wanted = max(1, UInt64((fraction * Double(total)).rounded(.up)))
        var running: UInt64 = 0
        for (bucket, count) in counts.enumerated() {
            running &+= count
            if running >= wanted {
                return LatencyHistogram.lowerBound(ofBucket: bucket)
            }
        }
        return 0
    }
}
