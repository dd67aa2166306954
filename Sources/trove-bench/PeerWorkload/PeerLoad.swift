/// What the load phase measured.
struct LoadOutcome {
    /// Keys inserted per second.
    var putsPerSecond: Double
    /// Resident set growth over the load in bytes; at least 1, so the efficiency is always defined.
    var memoryGrowthBytes: UInt64
    /// The target's resident entries right after the load.
    var residentCount: Int
    /// `residentCount * (16 + value size) / memoryGrowthBytes`: payload bytes per byte of resident growth.
    var memoryEfficiency: Double
}

/// The load phase of the peer workload: one thread inserts keys 0, 1, ..., N - 1 in order, with resident memory
/// read right before and right after.
enum PeerLoad {
    /// Inserts every key once and measures time and memory.
    ///
    /// - Parameters:
    ///   - target: the cache under test, normally empty.
    ///   - keys: the number of keys N.
    ///   - valuePattern: the shared value pattern.
    ///   - valueSize: bytes per value.
    /// - Complexity: N puts on the calling thread; allocates nothing per put but what the target does.
    static func run<Target: PeerTarget>(
        target: Target,
        keys: Int,
        valuePattern: [UInt8],
        valueSize: Int
    ) -> LoadOutcome {
        let rssBefore = ProcessMetrics.residentBytes()
        let start = ProcessMetrics.nanoseconds()
        valuePattern.withUnsafeBytes { pattern in
            withUnsafeTemporaryAllocation(byteCount: WorkloadKeys.keyLength, alignment: 8) { key in
                guard let keyBase = key.baseAddress, let patternBase = pattern.baseAddress else {
                    return
                }
                let keyBytes = UnsafeRawBufferPointer(start: keyBase, count: WorkloadKeys.keyLength)
                for index in 0..<UInt64(keys) {
                    WorkloadKeys.writeKey(index, to: keyBase)
                    let value = UnsafeRawBufferPointer(
                        start: patternBase + WorkloadKeys.valueOffset(of: index),
                        count: valueSize
                    )
                    target.put(key: keyBytes, value: value)
                }
            }
        }
        let end = ProcessMetrics.nanoseconds()
        let rssAfter = ProcessMetrics.residentBytes()

        let growth = rssAfter > rssBefore ? rssAfter - rssBefore : 1
        let residentCount = target.residentCount
        return LoadOutcome(
            putsPerSecond: Double(keys) / (Double(end &- start) / 1e9),
            memoryGrowthBytes: growth,
            residentCount: residentCount,
            memoryEfficiency: Double(residentCount) * Double(WorkloadKeys.keyLength + valueSize) / Double(growth)
        )
    }
}
