/// One configuration of the adaptive policy's W-TinyLFU core, as `WindowTuner` simulates
/// and chooses them.
///
/// Two things vary. The window's share of the capacity, fixed or sized by `WindowRegret`.
/// And what happens to a key that left the window unadmitted and is requested again within
/// a capacity's worth of evictions: by default it enters the window again and must win
/// the admission duel a second time; with `readmitsReturningKeys` it goes straight to
/// main's probation segment, as S3-FIFO sends a key its ghost remembers to its main queue.
/// Readmission pays on workloads whose keys come back after a gap longer than the window
/// but not than the cache (loops over a working set a little larger than the window),
/// and costs where such keys are one-offs.
package struct AdaptiveShape: Equatable, Sendable {
    /// The window's share of the capacity, or `nil` when each stripe sizes it by regret.
    package var windowFraction: Double?
    /// Whether a key recently evicted from the window skips it when it returns.
    package var readmitsReturningKeys: Bool

    /// A shape with the window at `windowFraction` (or regret-sized if `nil`), readmitting returning keys or not.
    package init(windowFraction: Double?, readmitsReturningKeys: Bool) {
        self.windowFraction = windowFraction
        self.readmitsReturningKeys = readmitsReturningKeys
    }
}
