/// A fast 64-bit hash of a key's bytes, the source of stripe, slot and tag bits.
///
/// Every bit of the result must be usable on its own: the engine takes the stripe from
/// the low bits, the slot from bits 16-47 and the tag from the top 16 bits. The
/// construction folds 16-byte blocks through 64x64->128-bit multiplications and ends
/// with a full-width multiply-xor finalizer, which mixes every input bit into every
/// output bit. Keys of 16 bytes (the common case) cost two multiplies plus the finalizer.
package enum KeyHash {
    @usableFromInline static let seed0: UInt64 = 0x2D35_8DCC_AA6C_78A5
    @usableFromInline static let seed1: UInt64 = 0x8BB8_4B93_962E_ACC9
    @usableFromInline static let seed2: UInt64 = 0x4B33_A62E_D433_D4A3

    /// Hashes `bytes`.
    ///
    /// - Complexity: O(n) in the key length; one multiply per 8 bytes.
    @inlinable
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return mix(seed0, seed1 ^ 0xFF) }
        var state = seed0 ^ UInt64(truncatingIfNeeded: count) &* seed2
        var offset = 0
        while count - offset > 16 {
            let a = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let b = base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            state = mix(a ^ seed1 ^ state, b ^ seed2)
            offset += 16
        }
        let (a, b) = tail(base + offset, count - offset)
        return finalize(mix(a ^ seed1 ^ state, b ^ seed2 ^ UInt64(truncatingIfNeeded: count)))
    }

    /// Multiplies to 128 bits and folds the halves: the core mixing step.
    @inlinable @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inlinable @inline(__always)
    static func finalize(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 32
        x = mix(x, seed0 ^ 0x9E37_79B9_7F4A_7C15)
        x ^= x >> 29
        return x
    }

    /// The last 1 to 16 bytes as two words, read without touching memory past the key.
    @inlinable @inline(__always)
    static func tail(_ pointer: UnsafeRawPointer, _ count: Int) -> (UInt64, UInt64) {
        // Safe because 1 <= count <= 16: every load below stays inside [pointer, pointer + count).
        assert(count >= 1 && count <= 16)
        if count >= 8 {
            let a = pointer.loadUnaligned(as: UInt64.self)
            let b = pointer.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return (a, b)
        }
        if count >= 4 {
            let a = UInt64(pointer.loadUnaligned(as: UInt32.self))
            let b = UInt64(pointer.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return (a << 32 | b, 0)
        }
        let first = UInt64(pointer.load(fromByteOffset: 0, as: UInt8.self))
        let middle = UInt64(pointer.load(fromByteOffset: count >> 1, as: UInt8.self))
        let last = UInt64(pointer.load(fromByteOffset: count - 1, as: UInt8.self))
        return (first << 16 | middle << 8 | last, 0)
    }
}
