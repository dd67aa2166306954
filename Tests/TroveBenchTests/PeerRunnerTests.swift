import Synchronization
import Testing

@testable import trove_bench

/// A target that remembers which keys were put, and can be told to miss every read.
private final class RecordingTarget: PeerTarget {
    let missesEveryRead: Bool
    let puts = Atomic<Int>(0)
    let gets = Atomic<Int>(0)
    private let keys = Mutex<Set<[UInt8]>>([])

    init(missesEveryRead: Bool) {
        self.missesEveryRead = missesEveryRead
    }

    func get(key: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        gets.add(1, ordering: .relaxed)
        if missesEveryRead {
            return false
        }
        let hit = keys.withLock { $0.contains(Array(key)) }
        if hit {
            buffer.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "a"))
        }
        return hit
    }

    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        puts.add(1, ordering: .relaxed)
        if !missesEveryRead {
            keys.withLock { _ = $0.insert(Array(key)) }
        }
    }

    var residentCount: Int {
        keys.withLock { $0.count }
    }
}

@Suite(.serialized) struct PeerRunnerTests {
    static func options(_ extra: [String] = []) throws -> PeerOptions {
        try PeerOptions.parse(
            ["--keys", "1000", "--seconds", "0.05", "--warmup", "0.01", "--threads", "1,2", "--read-ratios", "90"]
                + extra
        )
    }

    @Test func runsEveryConfigurationAgainstTheTarget() throws {
        let target = RecordingTarget(missesEveryRead: false)
        let results = try PeerRunner.run(
            target: target,
            options: Self.options(),
            peerName: "test",
            extraFields: [("note", #""x""#)]
        )
        #expect(results.map(\.threads) == [1, 2])
        #expect(target.residentCount == 1000)
        // One load phase serves every configuration, so they all report its memory figures:
        // the efficiency is the 1000 loaded entries' payload (16-byte key, 100-byte value)
        // over the resident growth the load measured.
        let growth = try #require(results.first).memoryGrowthBytes
        for result in results {
            #expect(result.readRatio == 90)
            #expect(result.hitRatio == 1)
            #expect(result.operationsPerSecond > 0)
            #expect(result.p50Nanoseconds <= result.p99Nanoseconds)
            #expect(result.keys == 1000 && result.valueSize == 100 && result.seconds == 0.05)
            #expect(result.memoryGrowthBytes == growth)
            #expect(result.memoryEfficiency == 1000.0 * Double(16 + 100) / Double(growth))
            #expect(result.jsonLine.contains(#","mem_growth_bytes":\#(growth),"#))
            #expect(result.jsonLine.hasPrefix(#"{"peer":"test","threads":"#))
            #expect(result.jsonLine.hasSuffix(#","seconds":0.05,"note":"x"}"#))
        }
        #expect(target.gets.load(ordering: .relaxed) > 0)
    }

    @Test func aReadMissIsFollowedByAPut() throws {
        let target = RecordingTarget(missesEveryRead: true)
        let results = try PeerRunner.run(target: target, options: Self.options(["--threads", "1"]), peerName: "miss")
        #expect(results.count == 1)
        #expect(results.first?.hitRatio == 0)
        // Load puts, plus one put per operation: a write puts, a read misses and then puts.
        #expect(target.puts.load(ordering: .relaxed) - 1000 >= target.gets.load(ordering: .relaxed))
    }
}
