import ArgumentParser

/// A comma-separated list of cache sizes as fractions of a trace's distinct objects, e.g. `0.001,0.01,0.1`.
struct FractionListArgument: ExpressibleByArgument, Sendable {
    /// The fractions, in the order given, each in (0, 1].
    var values: [Double]

    /// Wraps `values`.
    init(_ values: [Double]) {
        self.values = values
    }

    /// Parses the list; `nil` (an error naming the flag) if an entry is not a number in (0, 1] or the list is empty.
    init?(argument: String) {
        var values: [Double] = []
        for entry in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Double(entry), value > 0, value <= 1 else { return nil }
            values.append(value)
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }

    /// The default as help shows it.
    var defaultValueDescription: String { values.map { "\($0)" }.joined(separator: ",") }
}
