/// One measured configuration (threads, read ratio) of one peer: the fields of a result line of the peer harness.
///
/// `jsonLine` is the exact line `print_result` of the C reference prints, with the caller's extra fields appended;
/// `summaryLine` is a one-line human reading of it.
struct PeerResult: Sendable {
    /// The peer's name, e.g. `trove`.
    var peer: String
    /// Worker threads.
    var threads: Int
    /// Percentage of reads.
    var readRatio: Int
    /// Sum over workers of operations per second of that worker's own elapsed time.
    var operationsPerSecond: Double
    /// Keys inserted per second in the load phase.
    var loadPutsPerSecond: Double
    /// Payload bytes per byte of resident growth over the load.
    var memoryEfficiency: Double
    /// Median latency, bucket lower bound.
    var p50Nanoseconds: UInt64
    /// 99th percentile latency, bucket lower bound.
    var p99Nanoseconds: UInt64
    /// Best throughput over a 0.5 s window.
    var bestWindowOperationsPerSecond: Double
    /// Hits over reads; 1 when there were no reads.
    var hitRatio: Double
    /// Process CPU time over wall time times threads.
    var cpuUtilization: Double
    /// Resident growth over the load in bytes.
    var memoryGrowthBytes: UInt64
    /// The clock-pair overhead subtracted from latency samples.
    var timerNanoseconds: UInt64
    /// Number of keys N.
    var keys: Int
    /// Bytes per value.
    var valueSize: Int
    /// Measured seconds per configuration (the option, not the elapsed time).
    var seconds: Double
    /// Fields appended after the standard ones: (name, pre-rendered JSON value) pairs, in order.
    var extraFields: [(String, String)] = []

    /// The result as one JSON object on one line, field for field and digit for digit as the C peers print it:
    /// rates rounded to integers, `mem_efficiency` to 3 decimals, `hit_ratio` to 4, `cpu_util` to 2, `seconds` in
    /// `%g` form.
    var jsonLine: String {
        var fields: [(String, String)] = [
            ("peer", PeerResult.jsonString(peer)),
            ("threads", "\(threads)"),
            ("read_ratio", "\(readRatio)"),
            ("ops_per_s", PrintfFormat.render("%.0f", operationsPerSecond)),
            ("load_puts_per_s", PrintfFormat.render("%.0f", loadPutsPerSecond)),
            ("mem_efficiency", PrintfFormat.render("%.3f", memoryEfficiency)),
            ("p50_ns", "\(p50Nanoseconds)"),
            ("p99_ns", "\(p99Nanoseconds)"),
            ("ops_per_s_best", PrintfFormat.render("%.0f", bestWindowOperationsPerSecond)),
            ("hit_ratio", PrintfFormat.render("%.4f", hitRatio)),
            ("cpu_util", PrintfFormat.render("%.2f", cpuUtilization)),
            ("mem_growth_bytes", "\(memoryGrowthBytes)"),
            ("timer_ns", "\(timerNanoseconds)"),
            ("keys", "\(keys)"),
            ("value_size", "\(valueSize)"),
            ("seconds", PrintfFormat.render("%g", seconds)),
        ]
        fields += extraFields
        return "{" + fields.map { "\(PeerResult.jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A human reading of the result for stderr, e.g.
    /// `[trove] T=1 R=95: 15.43 Mops/s (best window 15.68), p50 36 ns, p99 204 ns, hits 100.00%, cpu 1.00`.
    var summaryLine: String {
        "[\(peer)] T=\(threads) R=\(readRatio): "
            + PrintfFormat.render(
                "%.2f Mops/s (best window %.2f)",
                operationsPerSecond / 1e6,
                bestWindowOperationsPerSecond / 1e6
            )
            + ", p50 \(p50Nanoseconds) ns, p99 \(p99Nanoseconds) ns, "
            + PrintfFormat.render("hits %.2f%%, cpu %.2f", hitRatio * 100, cpuUtilization)
    }

    /// Returns `text` as a JSON string literal; names made of letters, digits, `-` and `_` come out as in C's `%s`.
    static func jsonString(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"":
                literal += "\\\""
            case "\\":
                literal += "\\\\"
            case "\n":
                literal += "\\n"
            case "\r":
                literal += "\\r"
            case "\t":
                literal += "\\t"
            case _ where scalar.value < 0x20:
                literal += PrintfFormat.render("\\u%04x", scalar.value)
            default:
                literal.unicodeScalars.append(scalar)
            }
        }
        return literal + "\""
    }
}
