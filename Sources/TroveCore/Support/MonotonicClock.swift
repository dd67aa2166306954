#if canImport(Glibc)
import Glibc
#endif

/// The monotonic clock, for durations: unlike the wall clock (`WallClock`), it never steps
/// back, so an end time minus a start time cannot underflow.
package enum MonotonicClock {
    /// Nanoseconds since an arbitrary start. Costs one vDSO `clock_gettime`.
    @inline(__always)
    package static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
