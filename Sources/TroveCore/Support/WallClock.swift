#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in milliseconds since the Unix epoch, the unit of entry expiry.
///
/// Expiry is kept in wall-clock time rather than monotonic time because entries on
/// disk outlive the process; a clock step moves expiry with it, which is what a
/// user who set a TTL in wall-clock terms expects.
package enum WallClock {
    /// The current time in milliseconds. Costs one vDSO `clock_gettime` (~20 ns).
    @inline(__always)
    package static func nowMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) &* 1000 &+ UInt64(spec.tv_nsec) / 1_000_000
    }

    /// The absolute expiry for a time-to-live, or 0 (never) when `ttlMilliseconds` is 0.
    ///
    /// Saturates instead of overflowing, so a huge TTL means "practically never".
    package static func expiry(afterMilliseconds ttlMilliseconds: UInt64) -> UInt64 {
        guard ttlMilliseconds > 0 else { return 0 }
        let (sum, overflow) = nowMilliseconds().addingReportingOverflow(ttlMilliseconds)
        return overflow ? UInt64.max : sum
    }
}
