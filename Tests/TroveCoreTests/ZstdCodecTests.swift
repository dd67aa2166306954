import Testing
import TroveTestSupport

@testable import TroveCore

@Suite("ZstdCodec")
struct ZstdCodecTests {
    /// Compresses `value` into a bound-sized buffer and returns the frame.
    static func frame(_ value: [UInt8], codec: inout ZstdCodec) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZstdCodec.compressBound(value.count))
        let size = try value.withUnsafeBytes { source in
            try output.withUnsafeMutableBytes { try codec.compress(source, into: $0) }
        }
        return Array(output[..<size])
    }

    static func decompress(
        _ frame: [UInt8],
        expectedSize: Int,
        capacity: Int? = nil,
        codec: inout ZstdCodec
    ) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: capacity ?? expectedSize)
        try frame.withUnsafeBytes { source in
            try output.withUnsafeMutableBytes { destination in
                try codec.decompress(source, into: destination, expectedSize: expectedSize)
            }
        }
        return Array(output[..<expectedSize])
    }

    static func compressible(_ count: Int, generator: inout SeededGenerator) -> [UInt8] {
        generator.bytes(count / 2) + (0..<(count - count / 2)).map { UInt8(truncatingIfNeeded: $0 % 16) }
    }

    @Test func roundTrips() throws {
        var codec = try ZstdCodec()
        var generator = SeededGenerator(seed: 6)
        let values = [
            Self.compressible(4096, generator: &generator),
            [UInt8](repeating: 42, count: 100_000),
            generator.bytes(4096),
            [],
        ]
        for value in values {
            let frame = try Self.frame(value, codec: &codec)
            #expect(try Self.decompress(frame, expectedSize: value.count, codec: &codec) == value)
        }
    }

    @Test func compressIfSmallerSaysWhetherItSaved() throws {
        var codec = try ZstdCodec(level: 1)
        var generator = SeededGenerator(seed: 7)
        let compressible = Self.compressible(4096, generator: &generator)
        let random = generator.bytes(4096)
        var output = [UInt8](repeating: 0, count: 4096)

        let saved = compressible.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { codec.compressIfSmaller(source, into: $0) }
        }
        let frameSize = try #require(saved)
        #expect(frameSize < 2600)
        #expect(try Self.decompress(Array(output[..<frameSize]), expectedSize: 4096, codec: &codec) == compressible)

        let notSaved = random.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { codec.compressIfSmaller(source, into: $0) }
        }
        #expect(notSaved == nil)
        let empty = [UInt8]().withUnsafeBytes { source in
            output.withUnsafeMutableBytes { codec.compressIfSmaller(source, into: $0) }
        }
        #expect(empty == nil)
    }

    @Test func corruptedFramesAreRejected() throws {
        var codec = try ZstdCodec()
        var generator = SeededGenerator(seed: 8)
        let value = Self.compressible(4096, generator: &generator)
        let frame = try Self.frame(value, codec: &codec)

        #expect(throws: ZstdError.corrupted(reason: "not a zstd frame")) {
            try Self.decompress(generator.bytes(64), expectedSize: 4096, codec: &codec)
        }
        let truncated = #expect(throws: ZstdError.self) {
            try Self.decompress(Array(frame.dropLast(10)), expectedSize: 4096, codec: &codec)
        }
        #expect(truncated != nil)
        #expect(throws: ZstdError.sizeMismatch(expected: 4095, actual: 4096)) {
            try Self.decompress(frame, expectedSize: 4095, capacity: 4096, codec: &codec)
        }
        for _ in 0..<500 {
            var damaged = frame
            let index = Int.random(in: 0..<damaged.count, using: &generator)
            damaged[index] ^= UInt8.random(in: 1...255, using: &generator)
            // Any outcome but a crash is acceptable; a wrong value of the right size is the record CRC's to catch.
            _ = try? Self.decompress(damaged, expectedSize: 4096, codec: &codec)
        }
        #expect(try Self.decompress(frame, expectedSize: 4096, codec: &codec) == value)
    }

    @Test func smallOutputBuffersAreRejected() throws {
        var codec = try ZstdCodec()
        var generator = SeededGenerator(seed: 9)
        let random = generator.bytes(4096)
        var small = [UInt8](repeating: 0, count: 100)

        let compressError = #expect(throws: ZstdError.self) {
            try random.withUnsafeBytes { source in
                try small.withUnsafeMutableBytes { try codec.compress(source, into: $0) }
            }
        }
        #expect(compressError == .outputTooSmall(required: ZstdCodec.compressBound(4096)))
        let frame = try Self.frame(random, codec: &codec)
        #expect(throws: ZstdError.outputTooSmall(required: 4096)) {
            try Self.decompress(frame, expectedSize: 4096, capacity: 4000, codec: &codec)
        }
    }

    @Test func levelsAreChecked() throws {
        #expect(throws: ZstdError.invalidLevel(99)) { _ = try ZstdCodec(level: 99) }
        #expect(try ZstdCodec(level: 19).level == 19)
        #expect(try ZstdCodec().level == ZstdCodec.defaultLevel)
    }
}
