/// The markdown table trace-suite prints for one trace: each replay's miss ratio beside the reference's.
enum SuiteTable {
    /// Renders a heading and a table with one row per result, in order.
    ///
    /// - Parameters:
    ///   - trace: The trace replayed (its name and counts head the table).
    ///   - results: The replays of that trace.
    ///   - reference: Reference miss ratios, if the trace directory had them.
    /// - Returns: The markdown, ending in a newline. The reference column is the one measuring the same policy
    ///   (`lru` is compared with LRU although the engine's `lru` is CLOCK); `difference` is ours minus the reference,
    ///   and `relative` that difference over the reference.
    static func render(trace: LoadedTrace, results: [ReplayResult], reference: ReferenceTable?) -> String {
        var lines = [
            "### \(trace.name) (\(trace.count) requests, \(trace.distinctObjects) objects)",
            "",
            "| size | capacity (objects) | policy | miss ratio | reference | difference | relative | Belady"
                + " | requests/s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for result in results {
            let fraction = result.fraction ?? 0
            let row = reference?.row(trace: trace.name, fraction: fraction)
            var capacity = "\(result.capacity.value)"
            if let expected = row?.capacity, expected != result.capacity.value {
                capacity += " (reference: \(expected))"
            }
            let ours = result.counts.missRatio
            var cells = [
                PrintfFormat.render("%g%%", fraction * 100), capacity, result.policy.rawValue,
                PrintfFormat.render("%.4f", ours),
            ]
            if let column = ReferenceTable.column(for: result.policy), let theirs = row?.missRatios[column] {
                cells += [
                    PrintfFormat.render("%.3f", theirs),
                    PrintfFormat.render("%+.4f", ours - theirs),
                    theirs > 0 ? PrintfFormat.render("%+.1f%%", 100 * (ours - theirs) / theirs) : "-",
                ]
            } else {
                cells += ["-", "-", "-"]
            }
            cells.append(row?.missRatios["belady"].map { PrintfFormat.render("%.3f", $0) } ?? "-")
            cells.append(PrintfFormat.render("%.2fM", result.operationsPerSecond / 1e6))
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
