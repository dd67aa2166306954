import ArgumentParser

/// One entry of `budget --value-lengths`: a length in bytes, or `max`, the largest value that fits one arena segment
/// beside the key.
enum ValueLength: ExpressibleByArgument, Sendable {
    /// This many bytes.
    case bytes(Int)
    /// `max`: resolved once the cache is open and its segment size known.
    case largest

    /// Parses `max` or a decimal length; a negative length parses, for `budget`'s validation to name it.
    init?(argument: String) {
        if argument == "max" {
            self = .largest
        } else if let bytes = Int(argument) {
            self = .bytes(bytes)
        } else {
            return nil
        }
    }

    /// The entry as written on the command line.
    var defaultValueDescription: String {
        switch self {
        case .bytes(let bytes): "\(bytes)"
        case .largest: "max"
        }
    }

    /// The length in bytes, `largest` standing for `max`.
    func resolved(largest: Int) -> Int {
        switch self {
        case .bytes(let bytes): bytes
        case .largest: largest
        }
    }
}
