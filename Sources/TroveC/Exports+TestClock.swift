import TroveCore

/// Test hook: moves the clock TTLs are checked against forward; see trove.h.
@_cdecl("trove_test_advance_clock_ms")
public func trove_test_advance_clock_ms(_ milliseconds: UInt64) -> Int32 {
    guard WallClock.advanceForTesting(byMilliseconds: milliseconds) else {
        return LastError.fail(
            .invalidArgument,
            "trove_test_advance_clock_ms: \(milliseconds) ms is over a year, or the clock would be more than ten years ahead"
        )
    }
    return TroveStatus.ok.rawValue
}
