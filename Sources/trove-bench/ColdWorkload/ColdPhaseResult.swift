/// What one phase of the cold workload measured, printed as one JSON line.
struct ColdPhaseResult {
    var phase: String
    var fields: [(String, String)]

    init(phase: String) {
        self.phase = phase
        fields = []
    }

    mutating func add(_ name: String, _ value: Int) {
        fields.append((name, String(value)))
    }

    mutating func add(_ name: String, _ value: UInt64) {
        fields.append((name, String(value)))
    }

    mutating func add(_ name: String, _ value: Double, _ format: String = "%.4f") {
        fields.append((name, PrintfFormat.render(format, value)))
    }

    mutating func add(_ name: String, _ value: String) {
        fields.append((name, "\"" + value + "\""))
    }

    var jsonLine: String {
        "{\"workload\":\"cold\",\"phase\":\"\(phase)\"" + fields.map { ",\"\($0.0)\":\($0.1)" }.joined() + "}"
    }

    /// The value of a field as printed, for the human summary.
    subscript(_ name: String) -> String {
        fields.first { $0.0 == name }?.1 ?? "-"
    }
}
