/// The keys and values of the peer workload: key `i` is the 16 ASCII bytes `"key:%012d"` and its value is the `V`
/// bytes `'a' + (i + j) % 26`.
///
/// Keys are built per operation into a caller-owned buffer, the way a caller holding an integer id builds its key;
/// values are windows of one shared pattern, so neither allocates.
enum WorkloadKeys {
    /// Bytes per key.
    static let keyLength = 16

    /// The number of distinct value windows in the pattern: values repeat with period 26 in the key index.
    static let patternPeriod = 26

    /// Writes key `index` into the first 16 bytes at `destination`: `"key:"` and the low 12 decimal digits of
    /// `index`, zero-padded, with no terminator.
    ///
    /// - Parameters:
    ///   - index: the key index; indices of the workload have at most 10 digits.
    ///   - destination: at least 16 writable bytes.
    /// - Complexity: 12 divisions by a constant; no allocation.
    @inline(__always)
    static func writeKey(_ index: UInt64, to destination: UnsafeMutableRawPointer) {
        // "key:" as one little-endian word.
        destination.storeBytes(of: 0x3A79_656B as UInt32, as: UInt32.self)
        var rest = index
        var position = keyLength - 1
        while position >= 4 {
            let digit = UInt8(truncatingIfNeeded: rest % 10) &+ 48
            destination.storeBytes(of: digit, toByteOffset: position, as: UInt8.self)
            rest /= 10
            position -= 1
        }
    }

    /// Returns key `index` as bytes; for tests and diagnostics, since it allocates.
    static func key(_ index: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: keyLength) { buffer, initializedCount in
            if let base = buffer.baseAddress {
                writeKey(index, to: UnsafeMutableRawPointer(base))
            }
            initializedCount = keyLength
        }
    }

    /// Returns the value pattern for values of `valueSize` bytes: `valueSize + 26` bytes, byte `k` is
    /// `'a' + k % 26`.
    ///
    /// The value of key `i` is the window of `valueSize` bytes starting at `valueOffset(of: i)`.
    ///
    /// - Complexity: O(`valueSize`); allocates the pattern once per run.
    static func valuePattern(valueSize: Int) -> [UInt8] {
        (0..<(valueSize + patternPeriod)).map { UInt8(97 + $0 % patternPeriod) }
    }

    /// The offset in the value pattern at which the value of key `index` starts.
    @inline(__always)
    static func valueOffset(of index: UInt64) -> Int {
        Int(truncatingIfNeeded: index % UInt64(patternPeriod))
    }
}
