#if canImport(Glibc)
import Glibc
#endif

/// The shape of the hot tier derived from the memory budget: stripes, segment size and count.
///
/// Rules, in order:
/// - The budget is between 1 MiB and 1 TiB (slots address the arena with 40-bit offsets).
/// - Stripes: the requested power of two (at most 1024), or by default eight per online
///   core, between 8 and 256.
/// - A segment is `budget / (stripes * 32)` rounded down to a power of two and clamped to
///   64 KiB ... 1 MiB, so each stripe can hold at least 32 segments: eviction works at a
///   fine grain, and the partly written head and partly walked tail of each of a policy's
///   queues hold back little of a stripe's memory (with 16 segments, W-TinyLFU's held 23%
///   fewer 46-byte entries than CLOCK's one queue; with 32, 15% fewer). Where that would
///   need segments below 64 KiB, stripes are halved first.
/// - An entry (header + key + value) must fit in one segment: the largest value is
///   `segmentSize - 14 - keyLength` bytes (1 MiB segments: 1,047,550 bytes for a 10-byte key).
package struct HotTierGeometry: Equatable, Sendable {
    package static let minimumCapacity = 1 << 20
    package static let maximumCapacity = 1 << 40
    package static let minimumSegmentSize = 64 << 10
    package static let maximumSegmentSize = 1 << 20
    package static let maximumStripes = 1024

    /// The memory budget in bytes (arena segments plus index tables).
    package var capacityBytes: Int
    /// Stripes, a power of two.
    package var stripeCount: Int
    /// Bytes per arena segment, a power of two.
    package var segmentSize: Int
    /// Segments the arena can hold if no memory went to index tables.
    package var segmentCount: Int
    /// The entry-count limit per stripe, or 0 for none.
    package var maximumItemsPerStripe: Int

    /// Derives the geometry for a budget.
    ///
    /// - Parameters:
    ///   - capacityBytes: The hot-tier memory budget.
    ///   - requestedStripes: 0 for the default, else a power of two up to 1024.
    ///   - maximumItems: 0 for no limit, else the entry-count limit for the whole cache.
    /// - Throws: `EngineError(.invalidArgument)` naming the bad value.
    package init(capacityBytes: UInt64, requestedStripes: UInt32, maximumItems: UInt64) throws(EngineError) {
        guard capacityBytes >= UInt64(HotTierGeometry.minimumCapacity) else {
            throw EngineError(
                .invalidArgument,
                "capacity_bytes \(capacityBytes) is below the minimum of 1 MiB (1048576)"
            )
        }
        guard capacityBytes <= UInt64(HotTierGeometry.maximumCapacity) else {
            throw EngineError(.invalidArgument, "capacity_bytes \(capacityBytes) is above the maximum of 1 TiB")
        }
        var stripes: Int
        if requestedStripes == 0 {
            stripes = HotTierGeometry.defaultStripes()
        } else {
            guard requestedStripes.nonzeroBitCount == 1, Int(requestedStripes) <= HotTierGeometry.maximumStripes else {
                throw EngineError(
                    .invalidArgument,
                    "stripes \(requestedStripes) must be 0 or a power of two up to 1024"
                )
            }
            stripes = Int(requestedStripes)
        }
        let capacity = Int(capacityBytes)
        while stripes > 1 && capacity / (stripes * 32) < HotTierGeometry.minimumSegmentSize {
            stripes /= 2
        }
        let ideal = max(capacity / (stripes * 32), 1)
        let segment = min(
            max(1 << (Int.bitWidth - 1 - ideal.leadingZeroBitCount), HotTierGeometry.minimumSegmentSize),
            HotTierGeometry.maximumSegmentSize
        )
        self.capacityBytes = capacity
        self.stripeCount = stripes
        self.segmentSize = segment
        self.segmentCount = capacity / segment
        if maximumItems == 0 {
            self.maximumItemsPerStripe = 0
        } else {
            let perStripe = (maximumItems + UInt64(stripes) - 1) / UInt64(stripes)
            self.maximumItemsPerStripe = Int(min(perStripe, UInt64(Int.max)))
        }
    }

    /// Eight stripes per online core, between 8 and 256, as a power of two.
    package static func defaultStripes() -> Int {
        let cores = max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
        let wanted = min(max(cores * 8, 8), 256)
        return 1 << (Int.bitWidth - (wanted - 1).leadingZeroBitCount)
    }

    /// log2 of the segment size.
    package var segmentShift: Int { segmentSize.trailingZeroBitCount }
}
