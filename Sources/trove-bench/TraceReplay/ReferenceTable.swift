import Trove

/// Reference miss ratios from a markdown table, as the traces' README.md gives them: one row per trace and cache size,
/// one column per policy.
///
/// A table is recognised by a header row with a `trace` and a `size` column (sizes written as `1%`, `0.1%`); an
/// optional column whose name starts with `capacity` holds the cache size in objects, and every other column whose
/// cells are numbers is a policy's miss ratio, keyed by its header (`LRU`, `S3FIFO`, `Belady`, ...). Other lines and
/// tables are ignored.
struct ReferenceTable: Sendable {
    /// One trace at one cache size.
    struct Row: Sendable, Equatable {
        /// The trace's short name, e.g. `twitter_cluster52`.
        var trace: String
        /// The size as written, e.g. `0.1%`.
        var size: String
        /// The size as a fraction of the trace's distinct objects, e.g. 0.001.
        var fraction: Double
        /// The cache size in objects, when the table gives it.
        var capacity: Int?
        /// Miss ratios by lower-cased column name.
        var missRatios: [String: Double]
    }

    /// The rows, in table order.
    var rows: [Row]

    /// Parses every reference table in `markdown`.
    ///
    /// - Complexity: O(characters).
    init(markdown: String) {
        rows = []
        var header: [String]?
        var previous: [String]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let cells = ReferenceTable.cells(line) else {
                header = nil
                previous = nil
                continue
            }
            if let last = previous, header == nil, ReferenceTable.isSeparator(cells) {
                let names = last.map { $0.lowercased() }
                header = names.contains("trace") && names.contains("size") ? names : nil
            } else if let header, let row = ReferenceTable.row(cells, header: header) {
                rows.append(row)
            }
            previous = cells
        }
    }

    /// The row for `trace` at `fraction` of its distinct objects, if the table has one.
    func row(trace: String, fraction: Double) -> Row? {
        rows.first { $0.trace == trace && abs($0.fraction - fraction) <= fraction * 1e-6 }
    }

    /// The reference column that measures the same policy as `policy`, if there is one (`adaptive` has none).
    static func column(for policy: CacheOptions.Policy) -> String? {
        switch policy {
        case .lru: "lru"
        case .s3fifo: "s3fifo"
        case .wtinylfu: "wtinylfu"
        case .adaptive: nil
        }
    }

    /// The cells of a table line, trimmed, or `nil` if the line is not a table row.
    private static func cells(_ line: Substring) -> [String]? {
        let text = line.trimmingSpaces
        guard text.hasPrefix("|") else { return nil }
        var parts = text.split(separator: "|", omittingEmptySubsequences: false).map { String($0.trimmingSpaces) }
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    private static func isSeparator(_ cells: [String]) -> Bool {
        !cells.isEmpty && cells.allSatisfy { cell in !cell.isEmpty && cell.allSatisfy { "-:".contains($0) } }
    }

    private static func row(_ cells: [String], header: [String]) -> Row? {
        guard cells.count == header.count, let traceColumn = header.firstIndex(of: "trace"),
            let sizeColumn = header.firstIndex(of: "size")
        else { return nil }
        let size = cells[sizeColumn]
        guard size.hasSuffix("%"), let percent = Double(size.dropLast()), percent > 0 else { return nil }
        var row = Row(trace: cells[traceColumn], size: size, fraction: percent / 100, capacity: nil, missRatios: [:])
        for (index, name) in header.enumerated() where index != traceColumn && index != sizeColumn {
            let cell = cells[index].replacingCommas
            if name.hasPrefix("capacity") {
                row.capacity = Int(cell)
            } else if let value = Double(cell) {
                row.missRatios[name] = value
            }
        }
        return row
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else {
            return Substring()
        }
        return Substring(self[first...last])
    }

    /// The text without thousands separators, so `1,435` reads as a number.
    fileprivate var replacingCommas: String {
        String(filter { $0 != "," })
    }
}
