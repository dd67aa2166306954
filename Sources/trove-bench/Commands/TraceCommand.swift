import ArgumentParser
import Glibc
import Trove

/// Replays one cache trace through the engine and prints its miss ratio as a JSON line.
struct TraceCommand: ParsableCommand {
    /// The subcommand's name and help.
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Replay a cache trace through the engine and report hits, miss ratio and speed.",
        discussion: """
            Each request is a get and, on a miss, a put (libCacheSim's semantics), through the real engine. \
            Keys are the object ids' 8 little-endian bytes; CSV keys are hashed to ids (FNV-1a 64). \
            Give one capacity: --capacity N objects (the engine's entry limit; sizes ignored, as in \
            libCacheSim's object-count caches), --capacity-fraction F (N = F times the trace's distinct \
            objects, rounded down), or --capacity-bytes B (the engine's whole memory budget; values have the \
            objects' sizes, and an object larger than one entry can hold is a miss and is not inserted). \
            The engine has one stripe unless --stripes says otherwise, so the policy sees the whole cache as \
            in a simulator. The trace is read into memory first and ops_per_s times the replay loop only; \
            with --stream it is replayed while read, and ops_per_s includes reading and decompression. \
            Prints one JSON line on stdout; a summary and progress go to stderr.
            """
    )

    /// The trace file.
    @Argument(help: "The trace: *.oracleGeneral.bin or *.csv, optionally ending in .zst (zstd-compressed).")
    var file: String

    /// The record format, if not told by the name.
    @Option(help: "Record format, oracle or csv (default: from the file name).")
    var format: TraceFormat?

    /// The eviction policy.
    @Option(help: "Eviction policy: lru (CLOCK), s3fifo, wtinylfu or adaptive.")
    var policy: CacheOptions.Policy = .s3fifo

    /// An object-count capacity.
    @Option(help: "Cache capacity in objects (an object-count cache: object sizes are ignored).")
    var capacity: Int?

    /// An object-count capacity as a fraction of the trace's distinct objects.
    @Option(help: "Cache capacity as a fraction of the trace's distinct objects, in (0, 1] (an object-count cache).")
    var capacityFraction: Double?

    /// A byte capacity: the engine's memory budget.
    @Option(help: "Cache capacity in bytes of engine memory, at least 1048576; values are the objects' sizes.")
    var capacityBytes: Int?

    /// The engine's lock stripes.
    @Option(help: "Lock stripes, a power of two up to 1024 (1: the policy sees the whole cache, as in libCacheSim).")
    var stripes = 1

    /// Whether to replay while reading instead of from memory.
    @Flag(help: "Replay while reading instead of loading the trace first (ops_per_s then includes reading).")
    var stream = false

    /// Checks that exactly one capacity is given and every value is in range.
    ///
    /// - Throws: `ValidationError` naming the flag and the value given.
    func validate() throws {
        let given = [capacity != nil, capacityFraction != nil, capacityBytes != nil].filter { $0 }.count
        guard given == 1 else {
            throw ValidationError("give exactly one of --capacity, --capacity-fraction and --capacity-bytes")
        }
        if let capacity, !(1...ReplayCapacity.maximumObjects).contains(capacity) {
            throw ValidationError("--capacity must be in 1...\(ReplayCapacity.maximumObjects) objects, got \(capacity)")
        }
        if let capacityFraction, !(capacityFraction > 0 && capacityFraction <= 1) {
            throw ValidationError("--capacity-fraction must be in (0, 1], got \(capacityFraction)")
        }
        if let capacityBytes {
            try CacheFlagValidation.checkBudget(capacityBytes, hint: "; for a smaller cache use --capacity N objects")
        }
        try CacheFlagValidation.checkStripes(stripes)
    }

    /// Replays the trace and prints the JSON line and the summary.
    ///
    /// - Throws: `TraceError` if the trace cannot be read, `ReplayError` if the engine cannot replay it.
    func run() throws {
        let name = TraceFormat.traceName(file)
        let label = "replaying \(name) with \(policy.rawValue)"
        let result: ReplayResult
        let replayer: TraceReplayer
        if stream {
            var distinct: Int?
            let capacity = try replayCapacity {
                let census = try TraceFile.census(file, format: format)
                StandardError.writeLine("[trove] \(name): \(census.requests) requests, \(census.objects) objects")
                distinct = census.objects
                return census.objects
            }
            replayer = try TraceReplayer(capacity: capacity, policy: policy, stripes: stripes)
            let seconds = try replayer.replay(
                reading: TraceFile.open(file, format: format),
                progress: ProgressReporter(label: label)
            )
            result = try ReplayResult(
                trace: name,
                replayer: replayer,
                seconds: seconds,
                timing: .readAndReplay,
                distinctObjects: distinct,
                fraction: capacityFraction
            )
        } else {
            let trace = try TraceCommand.load(file, format: format)
            replayer = try TraceReplayer(
                capacity: replayCapacity { trace.distinctObjects },
                policy: policy,
                stripes: stripes
            )
            let seconds = try replayer.replay(trace, progress: ProgressReporter(label: label, total: trace.count))
            result = try ReplayResult(
                trace: name,
                replayer: replayer,
                seconds: seconds,
                timing: .replay,
                distinctObjects: trace.distinctObjects,
                fraction: capacityFraction
            )
        }
        print(result.jsonLine)
        fflush(nil)
        StandardError.writeLine(result.summaryLine)
        TraceCommand.warnIfBudgetBound(replayer)
    }

    /// The capacity the flags give; `distinctObjects` is asked only for --capacity-fraction.
    private func replayCapacity(distinctObjects: () throws -> Int) rethrows -> ReplayCapacity {
        if let capacityBytes { return .bytes(capacityBytes) }
        if let capacityFraction { return .objects(fraction: capacityFraction, of: try distinctObjects()) }
        // validate() has checked that one capacity flag was given; a 0 left here is refused by TraceReplayer.
        return .objects(capacity ?? 0)
    }

    /// Reads the whole trace at `path` into memory, reporting progress and the time taken on stderr.
    ///
    /// - Throws: `TraceError`.
    static func load(_ path: String, format: TraceFormat?) throws(TraceError) -> LoadedTrace {
        let name = TraceFormat.traceName(path)
        let start = ProcessMetrics.nanoseconds()
        let progress = ProgressReporter(label: "reading \(name)")
        let trace = try LoadedTrace(reading: TraceFile.open(path, format: format), name: name) { progress.update($0) }
        let seconds = Double(ProcessMetrics.nanoseconds() - start) / 1e9
        StandardError.writeLine(
            "[trove] read \(name): \(trace.count) requests, \(trace.distinctObjects) objects"
                + PrintfFormat.render(" in %.2f s", seconds)
        )
        return trace
    }

    /// Tells on stderr if an object-count replay's byte budget evicted entries, which would make it no longer a pure
    /// object-count cache.
    static func warnIfBudgetBound(_ replayer: TraceReplayer) {
        guard replayer.byteBudgetBound else { return }
        StandardError.writeLine(
            "[trove] warning: the engine's byte budget evicted entries before the entry limit was reached, so this"
                + " replay is not a pure object-count cache; please report it (ReplayCapacity.budgetPerObject is too"
                + " low)"
        )
    }
}
