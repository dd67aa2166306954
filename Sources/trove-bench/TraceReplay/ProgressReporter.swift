/// Progress of a long read or replay, as lines on stderr: at most one every two seconds, none for short runs.
final class ProgressReporter {
    private static let interval: UInt64 = 2_000_000_000
    private let label: String
    private let total: Int?
    private let start = ProcessMetrics.nanoseconds()
    private var lastReport: UInt64

    /// Reports under `label` (e.g. `replaying twitter_cluster52 with lru`), out of `total` requests when known.
    init(label: String, total: Int? = nil) {
        self.label = label
        self.total = total
        lastReport = start
    }

    /// Notes that `done` requests are done, printing a line if two seconds have passed since the last one.
    ///
    /// - Complexity: One clock read; call it every few thousand requests, not every request.
    func update(_ done: Int) {
        let now = ProcessMetrics.nanoseconds()
        guard now - lastReport >= ProgressReporter.interval else { return }
        lastReport = now
        let rate = Double(done) / (Double(now - start) / 1e9)
        var line = "[trove] \(label): \(done)"
        if let total, total > 0 {
            line += " of \(total) requests (" + PrintfFormat.render("%.0f%%", 100 * Double(done) / Double(total)) + ")"
        } else {
            line += " requests"
        }
        StandardError.writeLine(line + PrintfFormat.render(", %.2fM requests/s", rate / 1e6))
    }
}
