import Glibc

/// What one timed phase measured.
struct PhaseOutcome {
    /// Every worker's counts, in worker order.
    var tallies: [WorkerTally]
    /// All workers' latency samples.
    var latencies: LatencyHistogram
    /// The highest throughput over any window of at least 0.4 s (windows are nominally 0.5 s).
    var bestWindowOperationsPerSecond: Double
    /// Process CPU seconds over wall seconds times workers; below 1 when workers were descheduled.
    var cpuUtilization: Double
}

/// Runs one phase (warmup or measured) of the peer workload: one thread per stream, all released together, for a
/// fixed wall time.
///
/// While the workers run, the calling thread sleeps in 0.5 s steps and samples their published progress to find the
/// best window, as the C reference does. Each phase starts fresh threads, so no state carries over between phases
/// but the target's.
enum PeerPhase {
    /// The nominal length of a throughput window.
    static let windowNanoseconds: UInt64 = 500_000_000
    /// Windows shorter than this (the last, cut-off one) do not count for the best window.
    static let shortestCountedWindowNanoseconds: UInt64 = 400_000_000

    /// Runs `streams.count` workers against `target` for `seconds` of wall time and collects their results.
    ///
    /// - Parameters:
    ///   - target: the cache under test.
    ///   - streams: one op stream per worker, already filled.
    ///   - valuePattern: the shared value pattern.
    ///   - valueSize: bytes per value.
    ///   - timerOverheadNanoseconds: subtracted from every latency sample.
    ///   - seconds: the phase's wall time, positive.
    /// - Returns: the workers' counts and latencies, the best window and the CPU utilization.
    /// - Throws: `WorkerThreadStartError` if a worker thread cannot be started; the workers already started are
    ///   stopped and joined first.
    /// - Warning: blocks the calling thread for `seconds`.
    static func run<Target: PeerTarget>(
        target: Target,
        streams: [OpStream],
        valuePattern: [UInt8],
        valueSize: Int,
        timerOverheadNanoseconds: UInt64,
        seconds: Double
    ) throws -> PhaseOutcome {
        let signals = PhaseSignals(workerCount: streams.count)
        var threads: [WorkerThread<(tally: WorkerTally, latencies: LatencyHistogram)>] = []
        threads.reserveCapacity(streams.count)
        for (workerIndex, stream) in streams.enumerated() {
            let worker = PeerWorker(
                target: target,
                stream: stream,
                valuePattern: valuePattern,
                valueSize: valueSize,
                timerOverheadNanoseconds: timerOverheadNanoseconds,
                signals: signals,
                workerIndex: workerIndex
            )
            do {
                threads.append(try WorkerThread { worker.run() })
            } catch {
                signals.stop.store(true, ordering: .sequentiallyConsistent)
                signals.go.store(true, ordering: .sequentiallyConsistent)
                for thread in threads {
                    _ = thread.join()
                }
                throw error
            }
        }

        let cpuStart = ProcessMetrics.cpuSeconds()
        let start = ProcessMetrics.nanoseconds()
        let end = start &+ UInt64(seconds * 1e9)
        signals.go.store(true, ordering: .sequentiallyConsistent)
        let best = bestWindow(signals: signals, start: start, end: end)
        signals.stop.store(true, ordering: .sequentiallyConsistent)
        let wallNanoseconds = ProcessMetrics.nanoseconds() &- start

        var tallies: [WorkerTally] = []
        var latencies = LatencyHistogram()
        for thread in threads {
            let report = thread.join()
            tallies.append(report.tally)
            latencies.merge(report.latencies)
        }
        let cpuSeconds = ProcessMetrics.cpuSeconds() - cpuStart
        let cpuUtilization = cpuSeconds / (Double(wallNanoseconds) / 1e9 * Double(streams.count))
        return PhaseOutcome(
            tallies: tallies,
            latencies: latencies,
            bestWindowOperationsPerSecond: best,
            cpuUtilization: cpuUtilization
        )
    }

    /// Sleeps until `end` in window steps and returns the best windowed throughput seen.
    private static func bestWindow(signals: PhaseSignals, start: UInt64, end: UInt64) -> Double {
        var best = 0.0
        var lastOperations = 0.0
        var lastTime = start
        while true {
            let now = ProcessMetrics.nanoseconds()
            if now >= end {
                return best
            }
            sleep(nanoseconds: min(windowNanoseconds, end - now))
            let time = ProcessMetrics.nanoseconds()
            let operations = Double(signals.publishedOperations())
            if time - lastTime > shortestCountedWindowNanoseconds {
                best = max(best, (operations - lastOperations) / (Double(time - lastTime) / 1e9))
            }
            lastOperations = operations
            lastTime = time
        }
    }

    /// Sleeps for about `nanoseconds`; an interrupted sleep returns early, and the caller's loop rechecks the clock.
    private static func sleep(nanoseconds: UInt64) {
        var duration = timespec(
            tv_sec: Int(nanoseconds / 1_000_000_000),
            tv_nsec: Int(nanoseconds % 1_000_000_000)
        )
        nanosleep(&duration, nil)
    }
}
