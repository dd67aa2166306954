import Foundation

/// A value behind an `NSLock`, for tests that run under ThreadSanitizer: it sees pthread
/// mutexes (which `NSLock` wraps) but not `Synchronization.Mutex`'s futex, and reports
/// the critical sections of the latter as races.
package final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the lock held and the value in hand.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
