import Foundation
import Testing

@testable import TroveCore

/// A directory under the system temporary directory, removed with everything in it when the value ends.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/trove-io-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Creates `name` holding `bytes` and returns its path.
    @discardableResult
    func makeFile(_ name: String, bytes: [UInt8]) throws -> String {
        let filePath = path + "/" + name
        try #require(FileManager.default.createFile(atPath: filePath, contents: Data(bytes)))
        return filePath
    }
}

/// A small seeded generator (SplitMix64), so that failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

extension IOQueue {
    /// Submits, waits for every outstanding operation and returns the completions by tag.
    func drain() throws -> [UInt64: IOCompletion] {
        try wait(forCompletions: outstanding)
        var completions: [UInt64: IOCompletion] = [:]
        reapCompletions { completions[$0.tag] = $0 }
        return completions
    }
}

/// The backends that every queue test runs on.
let queueBackends: [IOBackendSelection] = [.ioUring, .synchronous]
