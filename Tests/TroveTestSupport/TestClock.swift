import Foundation
import TroveCore

/// The engine's clock, moved forward by tests that check expiry instead of sleeping.
///
/// The offset (`WallClock.advanceForTesting`) is process-wide, and the test suites of
/// every target run in parallel in one process, so a test that moves the clock could
/// expire another test's entries. Hence the rule: a test that checks a TTL of less than
/// an hour, or moves the clock, does it inside `TestClock.exclusive`, which runs such
/// tests one at a time and puts the clock back afterwards. The clock is then never more
/// than `maximumAdvanceMilliseconds` ahead while a test outside holds an entry, so a TTL
/// of a minute or more outside (the README example's 60 s) never notices.
package enum TestClock {
    /// The most a test moves the clock in all (checked by `advance`).
    package static let maximumAdvanceMilliseconds: UInt64 = 45_000

    private static let lock = NSLock()

    /// Runs `body` while no other `exclusive` body runs, then puts the clock back.
    ///
    /// `body` must not suspend (no `await`): it holds a lock the other TTL tests wait on.
    package static func exclusive<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock.lock()
        defer {
            WallClock.resetForTesting()
            lock.unlock()
        }
        WallClock.resetForTesting()
        return try body()
    }

    /// Moves the engine's clock forward by `milliseconds`. Call only inside `exclusive`.
    ///
    /// The real clock keeps running too, so a check `k` ms before an expiry has `k` ms
    /// of real time as its margin; checks here leave at least a second.
    package static func advance(milliseconds: UInt64) {
        let moved = WallClock.testOffsetForTesting + milliseconds
        precondition(moved <= maximumAdvanceMilliseconds, "a test moved the clock \(moved) ms ahead, over the limit")
        precondition(WallClock.advanceForTesting(byMilliseconds: milliseconds))
    }
}
