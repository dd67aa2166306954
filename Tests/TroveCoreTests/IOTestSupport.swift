import Foundation
import Testing
import TroveTestSupport

@testable import TroveCore

extension IOQueue {
    /// Submits, waits for every outstanding operation and returns the completions by tag.
    func drain() throws -> [UInt64: IOCompletion] {
        try wait(forCompletions: outstanding)
        var completions: [UInt64: IOCompletion] = [:]
        reapCompletions { completions[$0.tag] = $0 }
        return completions
    }
}

/// The backends that every queue test runs on.
let queueBackends: [IOBackendSelection] = [.ioUring, .synchronous]
