import ArgumentParser
import Foundation
// The engine itself: --compression-level takes zstd's negative levels, which `CacheOptions` refuses.
import TroveCore

/// The cold-tier workload: a key space many times the memory budget, kept on disk.
struct ColdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cold",
        abstract: "Measure the disk tier: a key space ~20x the memory budget, Zipf gets and puts, recovery.",
        discussion: """
            Phases, one JSON line each on stdout: "load" inserts every key (demotion write throughput); \
            "mixed" runs Zipf gets (a miss puts the value) and puts; "disk-reads" runs batched gets of \
            uniformly random keys (the disk's random-read rate); "memory-only" repeats "mixed" without a \
            disk tier, for the hit-ratio comparison; "recovery" times reopening from the close-time \
            checkpoint and by scanning the regions; "crash" loads a second directory in a child process, \
            kills it with SIGKILL while it writes, and times reopening what it left (checking every \
            value that comes back). A summary goes to stderr.
            """
    )

    @Option(help: "Directory for the disk tier (default: a new directory under /tmp, removed afterwards).")
    var path: String?

    @Option(help: "Memory budget in bytes.")
    var memoryBytes = 64 << 20

    @Option(help: "Disk budget in bytes.")
    var diskBytes = 4 << 30

    @Option(help: "Bytes per value (half of each compresses, half is random).")
    var valueSize = 4096

    @Option(help: "Keys (default: 20 times what the memory budget holds).")
    var keys: Int?

    @Option(help: "Zipf exponent of the mixed phase.")
    var theta = 0.9

    @Option(help: "Worker threads.")
    var threads = 2

    @Option(help: "Percent of gets in the mixed phase.")
    var readRatio = 95

    @Option(help: "Seconds per timed phase.")
    var seconds = 10.0

    @Option(help: "Keys per batched get in the disk-reads phase.")
    var batch = 32

    @Option(help: "Values at least this long are compressed (0: never).")
    var compressionThreshold = 1024

    @Option(help: "zstd level (negative levels are faster and compress less).")
    var compressionLevel = 1

    @Flag(help: "Skip the memory-only comparison.")
    var skipMemoryOnly = false

    @Flag(help: "Skip the SIGKILL recovery phase.")
    var skipCrash = false

    /// Set in the child process the crash phase starts and kills.
    @Flag(help: .hidden)
    var crashChild = false

    func validate() throws {
        guard valueSize >= 64, valueSize <= 1 << 20 else { throw ValidationError("--value-size must be 64...1048576") }
        guard threads >= 1, threads <= 64 else { throw ValidationError("--threads must be 1...64") }
        guard (0...100).contains(readRatio) else { throw ValidationError("--read-ratio must be 0...100") }
        guard batch >= 1, batch <= 1024 else { throw ValidationError("--batch must be 1...1024") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard theta > 0, theta < 1 else { throw ValidationError("--theta must be between 0 and 1") }
        guard (-7...19).contains(compressionLevel) else { throw ValidationError("--compression-level must be -7...19") }
        guard compressionThreshold >= 0 else { throw ValidationError("--compression-threshold must not be negative") }
    }

    func run() throws {
        let keyCount = keys ?? 20 * memoryBytes / valueSize
        if crashChild, let path {
            try ColdCrash.runChild(
                options: options(directory: path),
                values: ColdValues(length: valueSize),
                keys: keyCount,
                threads: threads
            )
        }
        let directory = try path ?? makeTemporaryDirectory()
        defer {
            if path == nil { try? FileManager.default.removeItem(atPath: directory) }
        }
        let values = ColdValues(length: valueSize)
        StandardError.writeLine(
            "[cold] \(keyCount) keys of \(valueSize) B (\((keyCount * valueSize) >> 20) MiB), memory \(memoryBytes >> 20) MiB,"
                + " disk \(diskBytes >> 20) MiB at \(directory), \(threads) threads"
        )
        var engine = try CacheEngine(options: options(directory: directory))
        let phases = ColdPhases(engine: engine, values: values, keys: keyCount, threads: threads)
        try report(load(phases))
        try report(mixed(phases, name: "mixed"))
        try report(diskReads(phases))
        if !skipMemoryOnly {
            let memoryOnly = try CacheEngine(options: options(directory: nil))
            let comparison = ColdPhases(engine: memoryOnly, values: values, keys: keyCount, threads: threads)
            _ = try comparison.load()
            try report(mixed(comparison, name: "memory-only"))
            _ = memoryOnly.close()
        }
        var recovery = ColdPhaseResult(phase: "recovery")
        let closing = ProcessMetrics.nanoseconds()
        guard engine.close() == .ok else { throw ValidationError("closing the cache failed") }
        recovery.add("close_ms", Double(ProcessMetrics.nanoseconds() - closing) / 1e6, "%.1f")
        engine = try CacheEngine(options: options(directory: directory))
        let fromCheckpoint = try coldStatistics(engine)
        recovery.add("items", fromCheckpoint.recoveredItems)
        recovery.add("checkpoint_ms", fromCheckpoint.recoveryMilliseconds)
        _ = engine.close()
        try? FileManager.default.removeItem(atPath: directory + "/trove-cold.checkpoint")
        engine = try CacheEngine(options: options(directory: directory))
        let fromScan = try coldStatistics(engine)
        recovery.add("scan_items", fromScan.recoveredItems)
        recovery.add("scan_ms", fromScan.recoveryMilliseconds)
        _ = engine.close()
        try report(recovery)
        if !skipCrash {
            try report(crashRecovery(directory: directory + "-crash", keys: keyCount, values: values))
        }
    }

    /// Loads a directory in a child process, kills it with SIGKILL mid-write, and reopens it.
    private func crashRecovery(directory: String, keys: Int, values: ColdValues) throws -> ColdPhaseResult {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let arguments = [
            "cold", "--crash-child", "--path", directory, "--memory-bytes", "\(memoryBytes)", "--disk-bytes",
            "\(diskBytes)",
            "--value-size", "\(valueSize)", "--keys", "\(keys)", "--threads", "\(threads)",
            "--compression-threshold", "\(compressionThreshold)", "--compression-level", "\(compressionLevel)",
        ]
        let crash = try ColdCrash.killWhileWriting(arguments: arguments)
        let engine = try CacheEngine(options: options(directory: directory))
        defer { _ = engine.close() }
        let cold = try coldStatistics(engine)
        let check = ColdCrash.verify(engine, keys: keys, values: values)
        var result = ColdPhaseResult(phase: "crash")
        result.add("killed_after_ms", crash.killedAfterMilliseconds, "%.0f")
        result.add("flushed_mb", crash.flushedBytes / 1_000_000)
        result.add("items", cold.recoveredItems)
        result.add("recovery_ms", cold.recoveryMilliseconds)
        result.add("hits", check.hits)
        result.add("wrong_values", check.wrong)
        guard check.wrong == 0 else { throw ValidationError("\(check.wrong) values came back wrong after the crash") }
        return result
    }

    private func options(directory: String?) -> EngineOptions {
        var options = EngineOptions()
        options.capacityBytes = UInt64(memoryBytes)
        options.path = directory
        options.diskCapacityBytes = UInt64(diskBytes)
        options.compressionThreshold = UInt32(compressionThreshold)
        options.compressionLevel = Int32(compressionLevel)
        return options
    }

    private func load(_ phases: ColdPhases) throws -> ColdPhaseResult {
        let before = try coldStatistics(phases.engine)
        let seconds = try phases.load()
        let after = try coldStatistics(phases.engine)
        var result = ColdPhaseResult(phase: "load")
        result.add("keys", phases.keys)
        result.add("seconds", seconds, "%.2f")
        result.add("puts_per_s", Double(phases.keys) / seconds, "%.0f")
        let written = after.bytesWritten - before.bytesWritten
        result.add("disk_write_mb_per_s", Double(written) / seconds / 1e6, "%.1f")
        result.add("demoted_mb_per_s", Double(after.demotedBytes - before.demotedBytes) / seconds / 1e6, "%.1f")
        result.add("dropped_demotions", after.droppedDemotions - before.droppedDemotions)
        result.add("write_amplification", Double(after.bytesWritten) / Double(max(after.demotedBytes, 1)), "%.3f")
        return result
    }

    private func mixed(_ phases: ColdPhases, name: String) throws -> ColdPhaseResult {
        let before = phases.engine.statistics()
        let outcome = try phases.mixed(theta: theta, readRatio: readRatio, seconds: seconds, seed: 42)
        let after = phases.engine.statistics()
        var result = ColdPhaseResult(phase: name)
        result.add("ops_per_s", Double(outcome.operations) / outcome.seconds, "%.0f")
        result.add("hit_ratio", Double(outcome.hits) / Double(max(outcome.reads, 1)))
        if let before = before?.cold, let after = after?.cold {
            result.add("disk_hits", after.hits - before.hits)
            result.add(
                "disk_write_mb_per_s",
                Double(after.bytesWritten - before.bytesWritten) / outcome.seconds / 1e6,
                "%.1f"
            )
            result.add("dropped_demotions", after.droppedDemotions - before.droppedDemotions)
            result.add("index_bytes_per_entry", Double(after.indexBytes) / Double(max(after.items, 1)), "%.2f")
            result.add("disk_items", after.items)
        }
        result.add("p50_ns", outcome.latencies.percentile(0.5))
        result.add("p99_ns", outcome.latencies.percentile(0.99))
        result.add("threads", threads)
        result.add("read_ratio", readRatio)
        result.add("theta", theta, "%.2f")
        return result
    }

    private func diskReads(_ phases: ColdPhases) throws -> ColdPhaseResult {
        let before = try coldStatistics(phases.engine)
        let (asked, elapsed) = try phases.batchedReads(batch: batch, seconds: seconds, seed: 7)
        let after = try coldStatistics(phases.engine)
        var result = ColdPhaseResult(phase: "disk-reads")
        result.add("gets_per_s", Double(asked) / elapsed, "%.0f")
        result.add("disk_reads_per_s", Double(after.hits - before.hits) / elapsed, "%.0f")
        result.add("batch", batch)
        result.add("threads", threads)
        return result
    }

    private func report(_ result: ColdPhaseResult) throws {
        print(result.jsonLine)
        fflush(nil)
        StandardError.writeLine("[cold] " + result.jsonLine)
    }

    private func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/trove-cold-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// The engine's disk-tier statistics, or an error saying why it has none.
    private func coldStatistics(_ engine: CacheEngine) throws -> ColdStatistics {
        guard let cold = engine.statistics()?.cold else { throw ValidationError("the cache has no disk tier") }
        if let failure = cold.failure { throw ValidationError("the disk tier failed: \(failure.message)") }
        return cold
    }
}
