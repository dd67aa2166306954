import ArgumentParser
import Trove
// The engine's policy-name parser, so that every flag accepts the names the C ABI's `policy` option accepts.
import TroveCore

/// A policy named on the command line: `lru` (CLOCK; `clock` also works), `s3fifo`, `wtinylfu` or `adaptive`, in any
/// case and with the other spellings `PolicyKind(name:)` reads.
extension CacheOptions.Policy: ExpressibleByArgument {
    /// Parses a policy name; `nil` (an error listing the names) for an unknown one.
    public init?(argument: String) {
        guard let kind = PolicyKind(name: argument) else { return nil }
        self.init(rawValue: kind.rawValue)
    }
}
