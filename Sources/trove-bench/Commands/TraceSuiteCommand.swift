import ArgumentParser
import Glibc
import Trove

/// Replays every trace of a folder at several cache sizes under several policies, beside reference miss ratios.
struct TraceSuiteCommand: ParsableCommand {
    /// The subcommand's name and help.
    static let configuration = CommandConfiguration(
        commandName: "trace-suite",
        abstract: "Replay every *.oracleGeneral.bin.zst trace in a folder and compare with reference miss ratios.",
        discussion: """
            For each trace (in name order), reads it into memory once, then replays it from memory for every \
            --fractions size (an object-count cache of that fraction of the trace's distinct objects, rounded \
            down) and every --policies policy, through the engine with one stripe. Prints one JSON line per \
            replay on stdout (the fields of `trace`, with `fraction`) and, per trace, a markdown table on stderr. \
            If the folder has a README.md with a reference table (columns trace, size, capacity, then one per \
            policy, as in the traces' README), the table shows the reference LRU, S3FIFO or WTinyLFU miss ratio \
            next to ours (lru against LRU, although the engine's lru is CLOCK), the difference and Belady's.
            """
    )

    /// The folder of traces.
    @Argument(help: "A folder of *.oracleGeneral.bin.zst traces, optionally with a README.md reference table.")
    var directory: String

    /// The policies to replay each trace with.
    @Option(help: "Comma-separated policies: lru, s3fifo, wtinylfu, adaptive.")
    var policies = CommaSeparatedList<CacheOptions.Policy>([.lru, .s3fifo, .wtinylfu, .adaptive])

    /// The cache sizes, as fractions of each trace's distinct objects.
    @Option(help: "Comma-separated cache sizes as fractions of each trace's distinct objects, each in (0, 1].")
    var fractions = CommaSeparatedList<Double>([0.01, 0.1])

    /// Checks that every policy is known and every fraction is in (0, 1].
    ///
    /// - Throws: `ValidationError` naming the flag and the first bad entry.
    func validate() throws {
        try policies.validate("--policies", expected: "one of lru, s3fifo, wtinylfu and adaptive")
        try fractions.validate("--fractions", expected: "in (0, 1]") { $0 > 0 && $0 <= 1 }
    }

    /// Replays every trace of the folder and prints the JSON lines and tables.
    ///
    /// - Throws: `TraceError` if the folder or a trace cannot be read, `ReplayError` if the engine cannot replay.
    func run() throws {
        let files = try TraceDirectory.traceFiles(in: directory)
        guard !files.isEmpty else {
            throw ValidationError("no *\(TraceDirectory.traceSuffix) files in '\(directory)'; give a folder of traces")
        }
        let reference = TraceDirectory.readme(in: directory).map(ReferenceTable.init(markdown:))
        if let reference, reference.rows.isEmpty {
            StandardError.writeLine("[trove] \(directory)/README.md has no reference table; showing ours only")
        }
        var requests: UInt64 = 0
        var seconds = 0.0
        for file in files {
            let trace = try TraceCommand.load(file, format: .oracle)
            var results: [ReplayResult] = []
            for fraction in fractions.values {
                for policy in policies.values {
                    let capacity = ReplayCapacity.objects(fraction: fraction, of: trace.distinctObjects)
                    let replayer = try TraceReplayer(capacity: capacity, policy: policy)
                    let progress = ProgressReporter(
                        label: "replaying \(trace.name) with \(policy.rawValue)",
                        total: trace.count
                    )
                    let elapsed = try replayer.replay(trace, progress: progress)
                    let result = try ReplayResult(
                        trace: trace.name,
                        replayer: replayer,
                        seconds: elapsed,
                        timing: .replay,
                        distinctObjects: trace.distinctObjects,
                        fraction: fraction
                    )
                    print(result.jsonLine)
                    fflush(nil)
                    TraceCommand.warnIfBudgetBound(replayer)
                    results.append(result)
                    requests += result.counts.requests
                    seconds += elapsed
                }
            }
            StandardError.writeLine(SuiteTable.render(trace: trace, results: results, reference: reference))
        }
        StandardError.writeLine(
            "[trove] suite: \(requests) requests replayed in"
                + PrintfFormat.render(" %.2f s of replay, %.2fM requests/s", seconds, Double(requests) / seconds / 1e6)
        )
    }
}
