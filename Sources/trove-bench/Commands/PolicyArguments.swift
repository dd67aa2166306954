import ArgumentParser
import TroveCore

/// One eviction policy named on the command line: `lru` (CLOCK; `clock` also works), `s3fifo`, `wtinylfu` or
/// `adaptive`, as `PolicyKind(name:)` reads them.
struct PolicyArgument: ExpressibleByArgument, Sendable {
    /// The policy.
    var kind: PolicyKind

    /// Wraps `kind`.
    init(_ kind: PolicyKind) {
        self.kind = kind
    }

    /// Parses a policy name; `nil` (an error naming the flag) for an unknown one.
    init?(argument: String) {
        guard let kind = PolicyKind(name: argument) else { return nil }
        self.kind = kind
    }

    /// The names accepted, for help texts.
    static var allValueStrings: [String] { PolicyKind.allCases.map(\.rawValue) }

    /// The default as help shows it.
    var defaultValueDescription: String { kind.rawValue }
}

/// A comma-separated list of policies, e.g. `lru,s3fifo`.
struct PolicyListArgument: ExpressibleByArgument, Sendable {
    /// The policies, in the order given.
    var kinds: [PolicyKind]

    /// Wraps `kinds`.
    init(_ kinds: [PolicyKind]) {
        self.kinds = kinds
    }

    /// Parses the list; `nil` (an error naming the flag) if any name is unknown or the list is empty.
    init?(argument: String) {
        var kinds: [PolicyKind] = []
        for name in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let kind = PolicyKind(name: String(name)) else { return nil }
            kinds.append(kind)
        }
        guard !kinds.isEmpty else { return nil }
        self.kinds = kinds
    }

    /// The default as help shows it.
    var defaultValueDescription: String { kinds.map(\.rawValue).joined(separator: ",") }
}
