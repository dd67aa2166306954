import Testing

@testable import trove_bench

@Suite struct WorkloadKeysTests {
    @Test(arguments: [
        (UInt64(0), "key:000000000000"),
        (7, "key:000000000007"),
        (116_115, "key:000000116115"),
        (2_147_483_647, "key:002147483647"),
        (999_999_999_999, "key:999999999999"),
        (1_000_000_000_001, "key:000000000001"),
    ])
    func keyIsZeroPaddedDecimal(_ index: UInt64, _ expected: String) {
        let key = WorkloadKeys.key(index)
        #expect(key.count == WorkloadKeys.keyLength)
        #expect(String(decoding: key, as: UTF8.self) == expected)
    }

    @Test func writeKeyTouchesOnlySixteenBytes() {
        var buffer = [UInt8](repeating: 0xFF, count: 20)
        buffer.withUnsafeMutableBytes { bytes in
            if let base = bytes.baseAddress {
                WorkloadKeys.writeKey(42, to: base + 2)
            }
        }
        #expect(buffer[0..<2] == [0xFF, 0xFF])
        #expect(buffer[18..<20] == [0xFF, 0xFF])
        #expect(String(decoding: buffer[2..<18], as: UTF8.self) == "key:000000000042")
    }

    @Test func valuePatternCyclesTheAlphabet() {
        let pattern = WorkloadKeys.valuePattern(valueSize: 100)
        #expect(pattern.count == 126)
        #expect(String(decoding: pattern.prefix(28), as: UTF8.self) == "abcdefghijklmnopqrstuvwxyzab")
    }

    @Test(arguments: [UInt64(0), 1, 25, 26, 27, 116_115])
    func valueOfKeyMatchesTheSpec(_ index: UInt64) {
        let valueSize = 100
        let pattern = WorkloadKeys.valuePattern(valueSize: valueSize)
        let offset = WorkloadKeys.valueOffset(of: index)
        let value = pattern[offset..<(offset + valueSize)]
        let expected = (0..<valueSize).map { UInt8(97 + (Int(index) + $0) % 26) }
        #expect(Array(value) == expected)
    }

    @Test func emptyValuesStillHaveAPattern() {
        #expect(WorkloadKeys.valuePattern(valueSize: 0).count == 26)
    }
}
