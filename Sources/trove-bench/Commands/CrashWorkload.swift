/// The deterministic stream of operations `crash-writer` performs, and the values it writes,
/// so a test can work out what a cache must hold after the writer was killed.
///
/// Operation `n` writes key `n / 2` (so most keys are written twice); every seventh
/// operation deletes an earlier key instead. A value names its key and the operation that
/// wrote it, and is filled with bytes derived from both, so a value from another key, an
/// older write or a torn record is recognised.
enum CrashWorkload {
    enum Operation: Equatable {
        case put(key: UInt64)
        case delete(key: UInt64)
    }

    static func operation(_ index: Int) -> Operation {
        if index % 7 == 6 { return .delete(key: UInt64(index / 3)) }
        return .put(key: UInt64(index / 2))
    }

    static let valueLength = 1500

    /// The value operation `index` writes for `key`.
    static func value(key: UInt64, index: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: valueLength)
        withUnsafeBytes(of: key.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        withUnsafeBytes(of: UInt64(index).littleEndian) { bytes.replaceSubrange(8..<16, with: $0) }
        var state = key &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(index)
        for position in 16..<valueLength {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[position] = UInt8(truncatingIfNeeded: state >> 56)
        }
        return bytes
    }

    /// The operation that wrote `bytes` for `key`, or `nil` if it is not a value this workload wrote for that key.
    static func writer(of bytes: [UInt8], key: UInt64) -> Int? {
        guard bytes.count == valueLength else { return nil }
        let storedKey = bytes[0..<8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let index = Int(bytes[8..<16].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        guard UInt64(littleEndian: storedKey) == key, index >= 0, value(key: key, index: index) == bytes else {
            return nil
        }
        return index
    }

    /// The 8-byte key for an id.
    static func key(_ id: UInt64) -> [UInt8] {
        withUnsafeBytes(of: id.littleEndian) { Array($0) }
    }
}
