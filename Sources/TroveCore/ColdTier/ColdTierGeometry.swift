/// The shape of a cold tier: how its disk budget is cut into regions and how records are addressed.
///
/// Rules, in order:
/// - The disk budget is between 4 MiB and 1 TiB.
/// - A region is 4 MiB, or smaller for budgets under 64 MiB (so there are at least 16
///   regions, never below 256 KiB), or larger for budgets over 64 GiB (so there are at
///   most 16,384 regions, the index's 14 region bits).
/// - Records start on multiples of `unit` bytes: a region has 2^18 units (the index's
///   18 offset bits), so the unit is 16 bytes for regions up to 4 MiB.
package struct ColdTierGeometry: Equatable, Sendable {
    package static let minimumCapacity = 4 << 20
    package static let maximumCapacity = 1 << 40
    package static let maximumRegions = 1 << 14
    package static let defaultRegionSize = 4 << 20
    package static let minimumRegionSize = 256 << 10
    static let offsetBits = 18

    package var regionSize: Int
    package var regionCount: Int
    /// Record alignment in bytes.
    package var unit: Int

    /// Bytes of the disk budget the regions use.
    package var capacityBytes: Int { regionSize * regionCount }

    /// Derives the geometry for a disk budget.
    ///
    /// - Throws: `EngineError(.invalidArgument)` naming the bad value.
    package init(diskCapacityBytes: UInt64) throws(EngineError) {
        guard diskCapacityBytes >= UInt64(ColdTierGeometry.minimumCapacity) else {
            throw EngineError(
                .invalidArgument,
                "disk_capacity_bytes \(diskCapacityBytes) is below the minimum of 4 MiB (4194304)"
            )
        }
        guard diskCapacityBytes <= UInt64(ColdTierGeometry.maximumCapacity) else {
            throw EngineError(
                .invalidArgument,
                "disk_capacity_bytes \(diskCapacityBytes) is above the maximum of 1 TiB"
            )
        }
        let capacity = Int(diskCapacityBytes)
        var region = ColdTierGeometry.defaultRegionSize
        while region > ColdTierGeometry.minimumRegionSize && capacity / region < 16 {
            region /= 2
        }
        while capacity / region > ColdTierGeometry.maximumRegions {
            region *= 2
        }
        self.init(regionSize: region, regionCount: capacity / region)
    }

    /// A geometry with the given region size and count (as read back from a manifest).
    package init(regionSize: Int, regionCount: Int) {
        self.regionSize = regionSize
        self.regionCount = regionCount
        unit = max(regionSize >> ColdTierGeometry.offsetBits, 16)
    }

    /// Whether this geometry can be used: power-of-two regions of 256 KiB or more, 1 to 16,384 of them.
    package var isValid: Bool {
        regionSize >= ColdTierGeometry.minimumRegionSize && regionSize.nonzeroBitCount == 1
            && regionCount >= 1 && regionCount <= ColdTierGeometry.maximumRegions
    }
}
