import Foundation
import Testing

/// A directory under the system temporary directory, removed with everything in it when the value ends.
package struct TemporaryDirectory: ~Copyable {
    package let path: String

    package init(prefix: String = "trove-test") throws {
        path = FileManager.default.temporaryDirectory.path + "/" + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Creates `name` holding `bytes` and returns its path.
    @discardableResult
    package func makeFile(_ name: String, bytes: [UInt8]) throws -> String {
        let filePath = path + "/" + name
        try #require(FileManager.default.createFile(atPath: filePath, contents: Data(bytes)))
        return filePath
    }
}

/// A small seeded generator (SplitMix64), so that failures reproduce.
package struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    package mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
