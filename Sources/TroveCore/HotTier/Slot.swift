/// The 64-bit index slot: where an entry lives, a tag to skip most wrong keys, and policy bits.
///
/// ```
/// bits 63...48  tag: the hash's top 16 bits with the lowest forced to 1 (so a slot is never 0)
/// bits 47...8   locator: the entry's byte offset in the arena (40 bits: arenas up to 1 TiB)
/// bits  7...0   access state, updated by readers (see `AccessState`)
/// ```
/// 0 is an empty slot and 1 a tombstone; neither has a tag, so neither matches a key.
/// One slot is the whole per-entry index cost: 8 bytes at a load factor between 0.53
/// and 0.8.
package enum Slot {
    package static let empty: UInt64 = 0
    package static let tombstone: UInt64 = 1
    package static let tagMask: UInt64 = 0xFFFF_0000_0000_0000
    package static let locatorMask: UInt64 = 0xFF_FFFF_FFFF

    /// The tag bits of a key hash, in slot position.
    @inlinable @inline(__always)
    package static func tag(ofHash hash: UInt64) -> UInt64 {
        (hash | (1 << 48)) & tagMask
    }

    @inlinable @inline(__always)
    package static func make(tag: UInt64, locator: UInt64, access: UInt8) -> UInt64 {
        assert(locator <= locatorMask && tag & ~tagMask == 0)
        return tag | locator << 8 | UInt64(access)
    }

    @inlinable @inline(__always)
    package static func locator(_ slot: UInt64) -> UInt64 {
        (slot >> 8) & locatorMask
    }

    @inlinable @inline(__always)
    package static func access(_ slot: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: slot)
    }

    /// The bits of the key's hash that the slot keeps exactly, 49 to 63, with the others zero.
    @inlinable @inline(__always)
    package static func hashBits(_ slot: UInt64) -> UInt64 {
        slot & tagMask & ~(1 << 48)
    }

    /// Whether the slot holds an entry (neither empty nor a tombstone).
    @inlinable @inline(__always)
    package static func isOccupied(_ slot: UInt64) -> Bool {
        slot > tombstone
    }

    @inlinable @inline(__always)
    package static func replacingAccess(_ slot: UInt64, with access: UInt8) -> UInt64 {
        (slot & ~0xFF) | UInt64(access)
    }

    @inlinable @inline(__always)
    package static func replacingLocator(_ slot: UInt64, with locator: UInt64) -> UInt64 {
        (slot & (tagMask | 0xFF)) | locator << 8
    }
}

/// The eight policy bits of a slot: a saturating access count and the tick of the last access.
///
/// ```
/// bits 1...0  frequency: reads since the entry was inserted or last aged, saturating at 3
/// bits 7...2  tick: the stripe's clock (mod 64) at the last read, for recency
/// ```
/// Readers update it with a compare-and-swap only when it would change, so a hot key
/// that is already at frequency 3 in the current tick costs no write at all.
package enum AccessState {
    package static let maximumFrequency: UInt8 = 3

    @inlinable @inline(__always)
    package static func frequency(_ access: UInt8) -> UInt8 {
        access & 3
    }

    @inlinable @inline(__always)
    package static func tick(_ access: UInt8) -> UInt8 {
        access >> 2
    }

    /// The state after one more read at `tick`.
    @inlinable @inline(__always)
    package static func afterRead(_ access: UInt8, tick: UInt8) -> UInt8 {
        let frequency = min(access & 3 + 1, maximumFrequency)
        return (tick & 0x3F) << 2 | frequency
    }

    @inlinable @inline(__always)
    package static func make(frequency: UInt8, tick: UInt8) -> UInt8 {
        (tick & 0x3F) << 2 | min(frequency, maximumFrequency)
    }
}
