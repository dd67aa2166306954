import ArgumentParser

/// A command-line list of integers written as `1,2,4`, as the peer harness takes `--threads` and `--read-ratios`.
///
/// Parsing rejects empty entries and anything that is not a decimal integer; ranges are checked by the options that
/// use it.
struct CommaSeparatedIntegers: ExpressibleByArgument, CustomStringConvertible, Sendable {
    /// The integers, in the order given.
    var values: [Int]

    /// Wraps `values`.
    init(_ values: [Int]) {
        self.values = values
    }

    /// Parses `argument`; nil, which ArgumentParser reports as an invalid value, if any entry is not an integer.
    init?(argument: String) {
        var values: [Int] = []
        for entry in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Int(entry) else {
                return nil
            }
            values.append(value)
        }
        self.values = values
    }

    /// The list as it is written on the command line.
    var description: String {
        values.map(String.init).joined(separator: ",")
    }
}
