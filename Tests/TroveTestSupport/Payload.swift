/// Values that describe themselves, so a reader can tell a torn, stale-keyed or misplaced value.
///
/// Layout: key id (8 bytes), version (8), length (4), checksum of everything after it (4),
/// then filler derived from the id and version. A value read back under another key, cut
/// short, or mixed from two writes fails `verify`.
package enum Payload {
    /// The fixed prefix: id, version, length, checksum.
    package static let headerLength = 24

    /// A payload for `key` at `version`, `length` bytes long (at least `headerLength`).
    package static func make(key: UInt64, version: UInt64, length: Int) -> [UInt8] {
        precondition(length >= headerLength)
        var bytes = [UInt8](repeating: 0, count: length)
        store(key, at: 0, in: &bytes)
        store(version, at: 8, in: &bytes)
        store(UInt64(length), at: 16, in: &bytes, width: 4)
        var state = key &* 0x9E37_79B9_7F4A_7C15 ^ version
        for index in headerLength..<length {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[index] = UInt8(truncatingIfNeeded: state >> 56)
        }
        store(UInt64(checksum(bytes[headerLength...])), at: 20, in: &bytes, width: 4)
        return bytes
    }

    /// Whether `bytes` is an intact payload written for `key`; returns its version if so.
    package static func verify(_ bytes: [UInt8], key: UInt64) -> UInt64? {
        guard bytes.count >= headerLength,
            load(bytes, at: 0) == key,
            load(bytes, at: 16, width: 4) == UInt64(bytes.count),
            load(bytes, at: 20, width: 4) == UInt64(checksum(bytes[headerLength...]))
        else { return nil }
        let version = load(bytes, at: 8)
        return make(key: key, version: version, length: bytes.count) == bytes ? version : nil
    }

    private static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return hash
    }

    private static func store(_ value: UInt64, at offset: Int, in bytes: inout [UInt8], width: Int = 8) {
        for index in 0..<width {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
        }
    }

    private static func load(_ bytes: [UInt8], at offset: Int, width: Int = 8) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<width {
            value |= UInt64(bytes[offset + index]) << (8 * UInt64(index))
        }
        return value
    }
}
