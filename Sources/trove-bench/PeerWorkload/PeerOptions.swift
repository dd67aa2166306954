import ArgumentParser

/// The workload options of the peer harness (`peers/run.sh`, `bench.h`), with the same flags and defaults, so one
/// command line configures Trove and the peers alike.
///
/// `--quick` lowers the defaults of `--keys`, `--seconds` and `--warmup` (100 000 keys, 1 s, 0.2 s); those flags
/// still override it when given. `validate()` rejects values the workload cannot run with, naming the flag.
struct PeerOptions: ParsableArguments {
    /// The largest thread count accepted.
    static let maximumThreads = 64
    /// The longest phase accepted, in seconds.
    static let maximumSeconds = 86_400.0
    /// Keys must be below this: key indices fit in 31 bits, below the scramble multiplier.
    static let keyLimit = 1 << 31
    /// The largest value size accepted, in bytes.
    static let maximumValueSize = 1 << 30

    /// `--keys` as given; `keys` applies the default.
    @Option(
        name: .customLong("keys"),
        help: ArgumentHelp("Number of keys N, in [1, 2^31) (default 1000000; 100000 with --quick).", valueName: "n")
    )
    var keysOverride: Int?

    /// Bytes per value.
    @Option(help: "Value size in bytes, in 0...2^30.")
    var valueSize = 100

    /// `--seconds` as given; `seconds` applies the default.
    @Option(
        name: .customLong("seconds"),
        help: ArgumentHelp(
            "Measured seconds per configuration (default 3, so the default run takes under 30 s; run.sh uses 5: pass --seconds 5 to match it; 1 with --quick).",
            valueName: "seconds"
        )
    )
    var secondsOverride: Double?

    /// `--warmup` as given; `warmup` applies the default.
    @Option(
        name: .customLong("warmup"),
        help: ArgumentHelp(
            "Unmeasured seconds before each measurement (default 0.5; 0.2 with --quick).",
            valueName: "seconds"
        )
    )
    var warmupOverride: Double?

    /// Thread counts to measure, in order.
    @Option(help: "Comma-separated thread counts, each in 1...64.")
    var threads = CommaSeparatedList<Int>([1, 2])

    /// Read percentages to measure for every thread count, in order.
    @Option(help: "Comma-separated read percentages, each in 0...100.")
    var readRatios = CommaSeparatedList<Int>([100, 95, 50])

    /// The workload seed; thread `t` draws from `seed + t`.
    @Option(help: "Random seed of the op streams.")
    var seed: UInt64 = 42

    /// 1 to spread hot keys over the key space (YCSB's scrambled zipfian), 0 to make key `r` the `r`-th hottest.
    @Option(help: "1 to scramble zipfian ranks over the key space, 0 for rank order.")
    var scramble = 1

    /// The cache's capacity in entries for targets that evict; 0 means unbounded. The runner only reports it.
    @Option(help: "Cache capacity in entries; 0 = unbounded.")
    var capacity = 0

    /// Whether the smaller `--quick` defaults apply.
    @Flag(help: "Shorthand for --keys 100000 --seconds 1 --warmup 0.2; explicit flags still override.")
    var quick = false

    /// Creates the default options, as with no flags.
    init() {}

    /// Number of keys N.
    var keys: Int {
        keysOverride ?? (quick ? 100_000 : 1_000_000)
    }

    /// Measured seconds per configuration.
    var seconds: Double {
        secondsOverride ?? (quick ? 1 : 3)
    }

    /// Unmeasured seconds before each measurement; 0 skips the warmup.
    var warmup: Double {
        warmupOverride ?? (quick ? 0.2 : 0.5)
    }

    /// Whether ranks are scrambled over the key space.
    var scrambles: Bool {
        scramble != 0
    }

    /// Checks every option against what the workload can run.
    ///
    /// - Throws: `ValidationError` naming the first flag whose value is out of range and the value given.
    func validate() throws {
        guard (1..<PeerOptions.keyLimit).contains(keys) else {
            throw ValidationError("--keys must be in [1, 2^31), got \(keys)")
        }
        guard (0...PeerOptions.maximumValueSize).contains(valueSize) else {
            throw ValidationError("--value-size must be in 0...2^30 bytes, got \(valueSize)")
        }
        guard seconds > 0, seconds <= PeerOptions.maximumSeconds else {
            throw ValidationError("--seconds must be > 0 and <= \(Int(PeerOptions.maximumSeconds)), got \(seconds)")
        }
        guard warmup >= 0, warmup <= PeerOptions.maximumSeconds else {
            throw ValidationError("--warmup must be in 0...\(Int(PeerOptions.maximumSeconds)) seconds, got \(warmup)")
        }
        let threadRange = 1...PeerOptions.maximumThreads
        try threads.validate("--threads", expected: "in \(threadRange)") { threadRange.contains($0) }
        try readRatios.validate("--read-ratios", expected: "in 0...100") { (0...100).contains($0) }
        guard scramble == 0 || scramble == 1 else {
            throw ValidationError("--scramble must be 0 or 1, got \(scramble)")
        }
        guard capacity >= 0 else {
            throw ValidationError("--capacity must be >= 0 entries (0 = unbounded), got \(capacity)")
        }
    }
}
