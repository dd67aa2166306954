import Trove

/// One finished replay: what was replayed, how it did, and how fast; printed as one JSON line.
struct ReplayResult: Sendable {
    /// What `ops_per_s` timed.
    enum Timing: String, Sendable {
        /// The replay loop over a trace already in memory: no reading or decompression.
        case replay
        /// Reading (and decompressing) the file and replaying, interleaved.
        case readAndReplay = "read+replay"
    }

    /// The trace's short name.
    var trace: String
    /// The policy replayed.
    var policy: CacheOptions.Policy
    /// The cache's size.
    var capacity: ReplayCapacity
    /// Requests, hits and bytes.
    var counts: ReplayCounts
    /// Seconds of the timed part (see `timing`).
    var seconds: Double
    /// What `seconds` covers.
    var timing: Timing
    /// Entries the policy evicted, from the engine's statistics.
    var evictions: UInt64
    /// The share of the learned policy's reuse predictions that were right (`nil` for policies that make none).
    var predictionAccuracy: Double?
    /// The share always guessing the more common outcome would have got right: what `predictionAccuracy` must beat.
    var constantGuessAccuracy: Double?
    /// Stripes of the engine.
    var stripes: Int
    /// The trace's distinct objects, when counted.
    var distinctObjects: Int?
    /// The fraction of `distinctObjects` the capacity was sized from, if it was.
    var fraction: Double?

    /// Collects the result of `replayer` after a replay that took `seconds`.
    ///
    /// - Throws: `ReplayError.engineRefused` if the engine has no statistics to give.
    init(
        trace: String,
        replayer: TraceReplayer,
        seconds: Double,
        timing: Timing,
        distinctObjects: Int? = nil,
        fraction: Double? = nil
    ) throws(ReplayError) {
        let statistics = try replayer.statistics()
        self.trace = trace
        policy = replayer.policy
        capacity = replayer.capacity
        counts = replayer.counts
        self.seconds = seconds
        self.timing = timing
        evictions = statistics.evictions
        predictionAccuracy = statistics.predictionAccuracy
        constantGuessAccuracy = statistics.constantGuessAccuracy
        stripes = statistics.stripes
        self.distinctObjects = distinctObjects
        self.fraction = fraction
    }

    /// Requests per second of the timed part.
    var operationsPerSecond: Double {
        seconds > 0 ? Double(counts.requests) / seconds : 0
    }

    /// The result as one JSON object on one line: ratios to 6 decimals, rates rounded to integers, unknown
    /// figures `null`.
    var jsonLine: String {
        let fields: [(String, String)] = [
            ("trace", PeerResult.jsonString(trace)),
            ("policy", PeerResult.jsonString(policy.rawValue)),
            ("capacity", "\(capacity.value)"),
            ("capacity_unit", PeerResult.jsonString(capacity.unit)),
            ("requests", "\(counts.requests)"),
            ("hits", "\(counts.hits)"),
            ("miss_ratio", PrintfFormat.render("%.6f", counts.missRatio)),
            ("byte_miss_ratio", ReplayResult.number(counts.byteMissRatio, "%.6f")),
            ("ops_per_s", PrintfFormat.render("%.0f", operationsPerSecond)),
            ("evictions", "\(evictions)"),
            ("prediction_accuracy", ReplayResult.number(predictionAccuracy, "%.6f")),
            ("prediction_constant_guess", ReplayResult.number(constantGuessAccuracy, "%.6f")),
            ("fraction", ReplayResult.number(fraction, "%g")),
            ("distinct_objects", distinctObjects.map { "\($0)" } ?? "null"),
            ("oversized", "\(counts.oversized)"),
            ("rejected_puts", "\(counts.rejectedPuts)"),
            ("stripes", "\(stripes)"),
            ("timing", PeerResult.jsonString(timing.rawValue)),
            ("seconds", PrintfFormat.render("%.6f", seconds)),
        ]
        return "{" + fields.map { "\(PeerResult.jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A human reading for stderr, e.g. `[trove] twitter_cluster52 lru, 1435 objects: 1000000 requests, miss ratio
    /// 0.3371 (bytes 0.3012), 4.21M requests/s (replay), 337000 evictions`.
    var summaryLine: String {
        var line = "[trove] \(trace) \(policy.rawValue), \(capacity.value) \(capacity.unit):"
        line += " \(counts.requests) requests,"
        line += PrintfFormat.render(" miss ratio %.4f", counts.missRatio)
        if let bytes = counts.byteMissRatio { line += PrintfFormat.render(" (bytes %.4f)", bytes) }
        line += PrintfFormat.render(", %.2fM requests/s", operationsPerSecond / 1e6) + " (\(timing.rawValue))"
        line += ", \(evictions) evictions"
        if counts.oversized > 0 { line += ", \(counts.oversized) misses too large to insert" }
        if counts.rejectedPuts > 0 { line += ", \(counts.rejectedPuts) puts refused for memory" }
        return line
    }

    private static func number(_ value: Double?, _ format: String) -> String {
        value.map { PrintfFormat.render(format, $0) } ?? "null"
    }
}
