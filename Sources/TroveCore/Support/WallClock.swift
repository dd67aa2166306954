import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in milliseconds since the Unix epoch, the unit of entry expiry.
///
/// Expiry is kept in wall-clock time rather than monotonic time because entries on
/// disk outlive the process; a clock step moves expiry with it, which is what a
/// user who set a TTL in wall-clock terms expects.
package enum WallClock {
    /// Milliseconds added to the system clock: always 0 outside tests, which move it
    /// (`advanceForTesting(byMilliseconds:)`) to check expiry without sleeping.
    ///
    /// Process-wide, so it moves the clock of every cache in the process at once.
    private static let testOffsetMilliseconds = Atomic<UInt64>(0)

    /// The current time in milliseconds. Costs one vDSO `clock_gettime` (~20 ns) and a
    /// relaxed load of the test offset (a plain load, no fence).
    ///
    /// Called only where a TTL is in play: a get of an entry without a TTL never reads the clock.
    @inline(__always)
    package static func nowMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let system = UInt64(spec.tv_sec) &* 1000 &+ UInt64(spec.tv_nsec) / 1_000_000
        return system &+ testOffsetMilliseconds.load(ordering: .relaxed)
    }

    /// The absolute expiry for a time-to-live, or 0 (never) when `ttlMilliseconds` is 0.
    ///
    /// Saturates instead of overflowing, so a huge TTL means "practically never".
    package static func expiry(afterMilliseconds ttlMilliseconds: UInt64) -> UInt64 {
        guard ttlMilliseconds > 0 else { return 0 }
        let (sum, overflow) = nowMilliseconds().addingReportingOverflow(ttlMilliseconds)
        return overflow ? UInt64.max : sum
    }

    /// Test hook: moves every cache's clock in the process forward by `milliseconds`, so
    /// entries whose TTL has passed by the moved clock expire at once.
    ///
    /// - Warning: For tests only. It affects every cache in the process, including entries
    ///   that another thread's test put with a TTL; and it does not move monotonic time.
    /// - Parameter milliseconds: how far to move the clock; at most one year at a time.
    /// - Returns: false (and nothing moved) if `milliseconds` is over a year or the total
    ///   offset would pass ten years.
    @discardableResult
    package static func advanceForTesting(byMilliseconds milliseconds: UInt64) -> Bool {
        let year: UInt64 = 365 * 24 * 3_600_000
        guard milliseconds <= year else { return false }
        var current = testOffsetMilliseconds.load(ordering: .relaxed)
        while true {
            guard current + milliseconds <= 10 * year else { return false }
            let (exchanged, original) = testOffsetMilliseconds.compareExchange(
                expected: current,
                desired: current + milliseconds,
                ordering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
    }

    /// Test hook: the total offset `advanceForTesting` has added (0 outside tests).
    package static var testOffsetForTesting: UInt64 {
        testOffsetMilliseconds.load(ordering: .relaxed)
    }

    /// Test hook: puts the clock back to the system clock. Entries put while it was moved
    /// keep their (later) expiry, so they live longer by the offset.
    ///
    /// - Warning: For tests only, and only from a test that holds every TTL-dependent test
    ///   of the process off (TroveTestSupport's `TestClock`).
    package static func resetForTesting() {
        testOffsetMilliseconds.store(0, ordering: .relaxed)
    }
}
