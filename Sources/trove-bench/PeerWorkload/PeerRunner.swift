import Glibc

/// Runs the peer workload of `peers/README.md` against one target: the load phase, then a warmup and a measured
/// phase for every (threads, read ratio) configuration, printing what the C peers print.
///
/// stdout gets one JSON result line per configuration (see `PeerResult.jsonLine`); stderr gets the load line, the
/// stream fingerprints (`[peer] stream T=... R=... thread=... fnv=...`, identical for every peer given the same
/// options) and a human summary per configuration.
enum PeerRunner {
    /// Runs the whole workload against `target` and prints the results as they are measured.
    ///
    /// The op streams of the largest thread count (4 MiB each) are allocated before the load, so they are not part
    /// of the measured memory growth; building them costs about 2^20 calls to `pow` per thread and configuration,
    /// and the zipfian constants N calls.
    ///
    /// - Parameters:
    ///   - target: the cache under test, empty; it is shared by every phase, so later configurations see the
    ///     writes of earlier ones, as in the C peers.
    ///   - options: the workload options; validated again here, so options built in code are checked too.
    ///   - peerName: the name in the `peer` field and the log prefix, e.g. `trove`.
    ///   - extraFields: (name, pre-rendered JSON value) pairs appended to every result line.
    /// - Returns: the results, in the order printed.
    /// - Throws: `ValidationError` for out-of-range options, before anything runs; `WorkerThreadStartError` if a
    ///   worker thread cannot be started.
    /// - Warning: blocks the calling thread for the whole run (about (warmup + seconds) per configuration, plus the
    ///   load and stream building).
    @discardableResult
    static func run<Target: PeerTarget>(
        target: Target,
        options: PeerOptions,
        peerName: String,
        extraFields: [(String, String)] = []
    ) throws -> [PeerResult] {
        try options.validate()
        let zipf = ZipfianGenerator(itemCount: UInt64(options.keys))
        let valuePattern = WorkloadKeys.valuePattern(valueSize: options.valueSize)
        var streams = (0..<(options.threads.values.max() ?? 1)).map { _ in OpStream() }
        let timerOverhead = ProcessMetrics.timerOverheadNanoseconds()

        let load = PeerLoad.run(
            target: target,
            keys: options.keys,
            valuePattern: valuePattern,
            valueSize: options.valueSize
        )
        StandardError.writeLine(
            "[\(peerName)] load \(options.keys) keys: "
                + PrintfFormat.render(
                    "%.0f puts/s, rss +%.1f MiB, resident entries %llu, timer %llu ns",
                    load.putsPerSecond,
                    Double(load.memoryGrowthBytes) / 1_048_576.0,
                    UInt64(load.residentCount),
                    timerOverhead
                )
        )

        var results: [PeerResult] = []
        for threadCount in options.threads.values {
            for readRatio in options.readRatios.values {
                for thread in 0..<threadCount {
                    streams[thread].fill(
                        zipf: zipf,
                        seed: options.seed,
                        thread: thread,
                        readRatio: readRatio,
                        scramble: options.scrambles
                    )
                    StandardError.writeLine(
                        "[\(peerName)] stream T=\(threadCount) R=\(readRatio) thread=\(thread) fnv="
                            + PrintfFormat.render("%016llx", streams[thread].fingerprint)
                    )
                }
                let phaseStreams = Array(streams[..<threadCount])
                if options.warmup > 0 {
                    _ = try PeerPhase.run(
                        target: target,
                        streams: phaseStreams,
                        valuePattern: valuePattern,
                        valueSize: options.valueSize,
                        timerOverheadNanoseconds: timerOverhead,
                        seconds: options.warmup
                    )
                }
                let phase = try PeerPhase.run(
                    target: target,
                    streams: phaseStreams,
                    valuePattern: valuePattern,
                    valueSize: options.valueSize,
                    timerOverheadNanoseconds: timerOverhead,
                    seconds: options.seconds
                )
                let result = makeResult(
                    phase: phase,
                    load: load,
                    options: options,
                    peerName: peerName,
                    threads: threadCount,
                    readRatio: readRatio,
                    timerOverhead: timerOverhead,
                    extraFields: extraFields
                )
                print(result.jsonLine)
                fflush(nil)
                StandardError.writeLine(result.summaryLine)
                results.append(result)
            }
        }
        return results
    }

    /// Combines a measured phase with the load figures into a result.
    private static func makeResult(
        phase: PhaseOutcome,
        load: LoadOutcome,
        options: PeerOptions,
        peerName: String,
        threads: Int,
        readRatio: Int,
        timerOverhead: UInt64,
        extraFields: [(String, String)]
    ) -> PeerResult {
        let operationsPerSecond = phase.tallies.reduce(0.0) {
            $0 + Double($1.operations) / (Double($1.elapsedNanoseconds) / 1e9)
        }
        let reads = phase.tallies.reduce(0) { $0 + $1.reads }
        let hits = phase.tallies.reduce(0) { $0 + $1.hits }
        return PeerResult(
            peer: peerName,
            threads: threads,
            readRatio: readRatio,
            operationsPerSecond: operationsPerSecond,
            loadPutsPerSecond: load.putsPerSecond,
            memoryEfficiency: load.memoryEfficiency,
            p50Nanoseconds: phase.latencies.percentile(0.50),
            p99Nanoseconds: phase.latencies.percentile(0.99),
            bestWindowOperationsPerSecond: phase.bestWindowOperationsPerSecond,
            hitRatio: reads > 0 ? Double(hits) / Double(reads) : 1.0,
            cpuUtilization: phase.cpuUtilization,
            memoryGrowthBytes: load.memoryGrowthBytes,
            timerNanoseconds: timerOverhead,
            keys: options.keys,
            valueSize: options.valueSize,
            seconds: options.seconds,
            extraFields: extraFields
        )
    }
}
