import Foundation
import Testing
import Trove
import TroveTestSupport

@testable import trove_bench

/// A writer process killed with SIGKILL mid-write: after reopening, everything flushed
/// before the kill hits with the value it had at that flush (or a later one the writer
/// also wrote), nothing deleted before the flush comes back, and no value is wrong.
@Suite(.serialized) struct CrashRecoveryTests {
    /// The trove-bench executable built beside this test bundle.
    private static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent().appendingPathComponent("trove-bench").path
    }

    /// What the cache must hold for each key after the first `operations` operations:
    /// the operation that last wrote it, or `nil` if it was deleted.
    private static func state(after operations: Int) -> [UInt64: Int?] {
        var state: [UInt64: Int?] = [:]
        for index in 0..<operations {
            switch CrashWorkload.operation(index) {
            case .put(let id): state[id] = index
            case .delete(let id): state[id] = .some(nil)
            }
        }
        return state
    }

    @Test func killedWriterLosesNothingFlushed() throws {
        let directory = try TemporaryDirectory(prefix: "trove-crash")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "crash-writer", "--path", directory.path, "--operations", "60000", "--flush-every", "3000",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var flushed = 0
        var buffer = Data()
        let reader = output.fileHandleForReading
        // Kill it while it writes, after a few flushes have completed.
        while flushed < 12_000 {
            let chunk = reader.availableData
            try #require(!chunk.isEmpty, "the writer exited early")
            buffer.append(chunk)
            let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n")
            for line in lines where line.hasPrefix("flushed ") {
                flushed = max(flushed, Int(line.dropFirst(8)) ?? 0)
            }
        }
        usleep(20_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        buffer.append(reader.readDataToEndOfFile())
        for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") where line.hasPrefix("flushed ") {
            flushed = max(flushed, Int(line.dropFirst(8)) ?? 0)
        }
        #expect(process.terminationReason == .uncaughtSignal)

        var options = CacheOptions(capacityBytes: 2 << 20)
        options.directory = directory.path
        options.diskCapacityBytes = 256 << 20
        let cache = try Cache(options: options)
        let expected = Self.state(after: flushed)
        let everything = Self.state(after: 60_000)
        var present = 0
        for id in everything.keys.sorted() {
            let value = try cache.get(CrashWorkload.key(id))
            let writer = value.flatMap { CrashWorkload.writer(of: $0, key: id) }
            if value != nil {
                #expect(writer != nil, "key \(id) came back with a value the writer never wrote")
                present += 1
            }
            switch expected[id] {
            case .some(.some(let index)):
                #expect((writer ?? -1) >= index, "key \(id): flushed at operation \(index), found \(writer ?? -1)")
            case .some(.none):
                // Deleted before the flush: it may come back only with a later write.
                if let writer { #expect(writer >= flushed, "key \(id) was deleted before the flush") }
            case .none:
                break
            }
        }
        #expect(present > 0)
        let stats = try cache.statistics()
        #expect(stats.hits > 0)
        cache.close()
    }
}
