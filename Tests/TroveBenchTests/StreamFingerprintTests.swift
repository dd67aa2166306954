import Testing

@testable import trove_bench

/// The stream test vectors of `peers/README.md`: seed 42, scramble on, `OpStream.length` entries.
@Suite struct StreamFingerprintTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var keys: UInt64
        var readRatio: Int
        var thread: Int
        var fingerprint: UInt64

        var testDescription: String { "N=\(keys) R=\(readRatio) thread=\(thread)" }
    }

    static let vectors: [Vector] = [
        Vector(keys: 1_000_000, readRatio: 100, thread: 0, fingerprint: 0xCA12_B5EC_4616_623C),
        Vector(keys: 1_000_000, readRatio: 95, thread: 0, fingerprint: 0x8B56_1C16_A3FA_B73C),
        Vector(keys: 1_000_000, readRatio: 50, thread: 0, fingerprint: 0x2F5F_98D4_2F9A_683C),
        Vector(keys: 1_000_000, readRatio: 100, thread: 1, fingerprint: 0xDDE7_2F76_BF3B_B7C0),
        Vector(keys: 1_000_000, readRatio: 95, thread: 1, fingerprint: 0x0ED4_9110_DD07_F340),
        Vector(keys: 1_000_000, readRatio: 50, thread: 1, fingerprint: 0x168A_0DC2_DE38_2940),
        Vector(keys: 100_000, readRatio: 100, thread: 0, fingerprint: 0xD5D5_06FF_AC5F_1BC5),
        Vector(keys: 100_000, readRatio: 95, thread: 0, fingerprint: 0xDEC5_5B7E_E87E_80C5),
        Vector(keys: 100_000, readRatio: 50, thread: 0, fingerprint: 0x6E64_A269_F9BE_84C5),
        Vector(keys: 100_000, readRatio: 100, thread: 1, fingerprint: 0xC167_0C6C_7469_7B56),
    ]

    static let zipfOneMillion = ZipfianGenerator(itemCount: 1_000_000)
    static let zipfHundredThousand = ZipfianGenerator(itemCount: 100_000)

    static func stream(keys: UInt64, readRatio: Int, thread: Int) -> OpStream {
        var stream = OpStream()
        stream.fill(
            zipf: keys == 1_000_000 ? zipfOneMillion : zipfHundredThousand,
            seed: 42,
            thread: thread,
            readRatio: readRatio,
            scramble: true
        )
        return stream
    }

    @Test(arguments: vectors)
    func fingerprintMatchesReadme(_ vector: Vector) {
        let stream = Self.stream(keys: vector.keys, readRatio: vector.readRatio, thread: vector.thread)
        #expect(stream.fingerprint == vector.fingerprint)
    }

    @Test func firstKeysOfThreadZeroForOneMillionKeys() {
        let stream = Self.stream(keys: 1_000_000, readRatio: 100, thread: 0)
        let keys = stream.entries.prefix(5).map { keyString(UInt64($0 & OpStream.indexMask)) }
        #expect(
            keys == [
                "key:000000116115", "key:000000944352", "key:000000000000", "key:000000229132", "key:000000860880",
            ]
        )
    }

    @Test func firstKeysOfThreadZeroForHundredThousandKeys() {
        let stream = Self.stream(keys: 100_000, readRatio: 100, thread: 0)
        let keys = stream.entries.prefix(10).map { keyString(UInt64($0 & OpStream.indexMask)) }
        #expect(
            keys == [
                "key:000000099857", "key:000000036415", "key:000000000000", "key:000000050327", "key:000000015874",
                "key:000000014566", "key:000000085256", "key:000000016768", "key:000000035761", "key:000000035761",
            ]
        )
    }

    @Test func readRatioChangesOnlyTheWriteFlags() {
        let reads = Self.stream(keys: 100_000, readRatio: 100, thread: 0)
        let mixed = Self.stream(keys: 100_000, readRatio: 50, thread: 0)
        #expect(reads.entries.allSatisfy { $0 & OpStream.writeFlag == 0 })
        #expect(zip(reads.entries, mixed.entries).allSatisfy { $0 == $1 & OpStream.indexMask })
        let writes = mixed.entries.lazy.filter { $0 & OpStream.writeFlag != 0 }.count
        #expect(abs(Double(writes) / Double(OpStream.length) - 0.5) < 0.01)
    }

    @Test func scrambleOffKeepsRankOrder() {
        var stream = OpStream()
        stream.fill(zipf: Self.zipfHundredThousand, seed: 42, thread: 0, readRatio: 100, scramble: false)
        var counts = [Int](repeating: 0, count: 100_000)
        for entry in stream.entries {
            counts[Int(entry & OpStream.indexMask)] += 1
        }
        #expect(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > counts[100])
    }

    private func keyString(_ index: UInt64) -> String {
        String(decoding: WorkloadKeys.key(index), as: UTF8.self)
    }
}
