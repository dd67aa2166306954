import Testing
import TroveTestSupport

@testable import TroveCore

@Suite("CRC32C")
struct CRC32CTests {
    /// The bit-at-a-time definition, independent of the tables.
    static func reference(_ bytes: some Sequence<UInt8>, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
        }
        return ~crc
    }

    static func checksum(_ bytes: [UInt8], continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum($0, continuing: previous) }
    }

    @Test func standardVectors() {
        #expect(Self.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(Self.checksum([]) == 0)
        // RFC 3720 (iSCSI), appendix B.4.
        #expect(Self.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(Self.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(Self.checksum(Array(0..<32)) == 0x46DD_794E)
        #expect(Self.checksum(Array((0..<32).reversed())) == 0x113F_DB5C)
    }

    @Test func matchesReferenceOnRandomData() {
        var generator = SeededGenerator(seed: 4)
        let data = generator.bytes(8192 + 64)
        for (start, length) in [(0, 4096), (1, 4096), (3, 8192), (7, 0), (5, 1), (2, 7), (0, 8), (9, 15), (13, 999)] {
            let slice = Array(data[start..<(start + length)])
            #expect(Self.checksum(slice) == Self.reference(slice), "start \(start) length \(length)")
        }
        for _ in 0..<200 {
            let length = Int.random(in: 0...300, using: &generator)
            let start = Int.random(in: 0...64, using: &generator)
            let slice = Array(data[start..<(start + length)])
            #expect(Self.checksum(slice) == Self.reference(slice))
        }
    }

    @Test func continuingEqualsWhole() {
        var generator = SeededGenerator(seed: 5)
        let data = generator.bytes(5000)
        let whole = Self.checksum(data)
        for split in [0, 1, 8, 13, 4096, 5000] {
            let first = Self.checksum(Array(data[..<split]))
            #expect(Self.checksum(Array(data[split...]), continuing: first) == whole)
        }
        #expect(Self.reference(data) == whole)
    }
}

@Suite struct CRC32CImplementationTests {
    /// The hardware and software paths must agree byte for byte, whatever this machine uses by default.
    @Test func hardwareAndSoftwareAgree() {
        #if arch(x86_64)
        // Every x86-64 CPU of the last fifteen years has SSE4.2; this keeps the comparison below meaningful.
        #expect(CRC32C.usesHardware)
        #endif
        var generator = SeededGenerator(seed: 6)
        let data = generator.bytes(10_000)
        for (start, length) in [
            (0, 0), (0, 1), (1, 7), (3, 8), (0, 767), (0, 768), (1, 769), (2, 1536), (5, 4096), (7, 9000),
        ] {
            data[start..<(start + length)].withUnsafeBytes { bytes in
                #expect(CRC32C.checksum(bytes) == CRC32C.softwareChecksum(bytes), "start \(start) length \(length)")
                #expect(
                    CRC32C.checksum(bytes, continuing: 0x1234_5678)
                        == CRC32C.softwareChecksum(bytes, continuing: 0x1234_5678)
                )
            }
        }
    }
}
