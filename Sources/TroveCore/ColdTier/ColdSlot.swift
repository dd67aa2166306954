/// The 64-bit cold-index slot: a key fingerprint and where its newest record is on disk.
///
/// ```
/// bits 63...34  fingerprint: hash bits 34...63, lowest forced to 1 (so a slot is never 0)
/// bits 33...32  read hint: 4 KiB blocks the record spans from its first block, minus one (3 = four or more)
/// bits 31...18  region
/// bits 17...0   offset in the region, in units of the geometry's `unit`
/// ```
/// The index cannot re-read keys (they live on disk), so everything it needs to find a
/// slot again, including the home position after the table grows, comes from the
/// fingerprint. Two keys with the same fingerprint in the same stripe (34 hash bits in
/// all) share a slot: the newer one wins and the other becomes a miss, never wrong data,
/// because reads compare the full key stored in the record.
package enum ColdSlot {
    package static let empty: UInt64 = 0
    package static let tombstone: UInt64 = 1
    package static let fingerprintShift: UInt64 = 34

    @inlinable @inline(__always)
    package static func fingerprint(ofHash hash: UInt64) -> UInt64 {
        (hash >> fingerprintShift) | 1
    }

    @inlinable @inline(__always)
    package static func fingerprint(_ slot: UInt64) -> UInt64 {
        slot >> fingerprintShift
    }

    package static func make(fingerprint: UInt64, blocks: Int, region: Int, offsetUnits: Int) -> UInt64 {
        assert(region < 1 << 14 && offsetUnits < 1 << 18 && blocks >= 1)
        let hint = UInt64(min(blocks, 4) - 1)
        return fingerprint << fingerprintShift | hint << 32 | UInt64(region) << 18 | UInt64(offsetUnits)
    }

    @inlinable @inline(__always)
    package static func region(_ slot: UInt64) -> Int {
        Int(truncatingIfNeeded: (slot >> 18) & 0x3FFF)
    }

    @inlinable @inline(__always)
    package static func offsetUnits(_ slot: UInt64) -> Int {
        Int(truncatingIfNeeded: slot & 0x3FFFF)
    }

    /// 4 KiB blocks to read first (1 to 4); a record longer than that needs a second read.
    @inlinable @inline(__always)
    package static func blocks(_ slot: UInt64) -> Int {
        Int(truncatingIfNeeded: (slot >> 32) & 3) + 1
    }

    @inlinable @inline(__always)
    package static func isOccupied(_ slot: UInt64) -> Bool {
        slot > tombstone
    }
}
