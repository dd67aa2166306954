import ArgumentParser

/// A command-line list written as `1,2,4` or `lru,s3fifo`: every entry is an `Element` as that type reads one flag
/// value.
///
/// Parsing never fails, because ArgumentParser's message for a value it cannot parse quotes the whole list:
/// `validate(_:expected:where:)` names the bad entry instead, so a command with a list option calls it from its own
/// `validate()`.
struct CommaSeparatedList<Element: ExpressibleByArgument & Sendable>: ExpressibleByArgument, CustomStringConvertible,
    Sendable
{
    /// The entries that parsed, in the order given.
    let values: [Element]
    /// The entries as written, including any that are not an `Element`.
    private let entries: [String]

    /// A list of `elements`, written as their help descriptions joined by commas.
    init(_ elements: [Element]) {
        values = elements
        entries = elements.map(\.defaultValueDescription)
    }

    /// Splits `argument` at commas; never `nil`, so that `validate` can name a bad entry.
    init?(argument: String) {
        entries = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        values = entries.compactMap(Element.init(argument:))
    }

    /// The list as written on the command line (or, for a default, as help shows it).
    var description: String { entries.joined(separator: ",") }

    /// The default as help shows it.
    var defaultValueDescription: String { description }

    /// Checks that every entry parsed and satisfies `isValid`.
    ///
    /// - Parameters:
    ///   - flag: The option's name as typed, e.g. `--threads`.
    ///   - expected: What every entry must be, completing "entries must be ...", e.g. `in 1...64`.
    ///   - isValid: A check beyond parsing, e.g. a range.
    /// - Throws: `ValidationError` naming the flag and the first bad entry.
    func validate(_ flag: String, expected: String, where isValid: (Element) -> Bool = { _ in true }) throws {
        for entry in entries {
            if let element = Element(argument: entry), isValid(element) { continue }
            throw ValidationError(
                "\(flag) entries must be \(expected), got \(entry.isEmpty ? "an empty entry" : entry)"
            )
        }
    }
}
