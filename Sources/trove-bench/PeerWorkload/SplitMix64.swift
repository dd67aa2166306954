/// The splitmix64 generator of the peer workload spec: every peer draws the same numbers from the same seed.
///
/// A value type with 8 bytes of state; copying it forks the sequence. Both draws cost a few multiplications and
/// never allocate. Arithmetic wraps modulo 2^64, exactly as the C reference's `uint64_t` does.
struct SplitMix64 {
    /// The generator state, advanced by the golden-ratio increment on every draw.
    var state: UInt64

    /// Starts a sequence at `state`; thread `t` of the workload starts at `seed + t`.
    init(state: UInt64) {
        self.state = state
    }

    /// Returns the next 64-bit output and advances the state by one step.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Returns a double in [0, 1) built from the top 53 bits of one `next()` draw.
    ///
    /// The conversion is exact (53 bits fit a double's mantissa), so every language gets the same value.
    mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
