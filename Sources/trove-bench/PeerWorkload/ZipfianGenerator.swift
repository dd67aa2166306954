import Glibc

/// The YCSB zipfian rank distribution (Gray et al. 1994) over items `0..<itemCount`, as the peer workload spec
/// defines it.
///
/// Every constant and every rank is computed in IEEE double with glibc's `pow`, in the same order as the C reference,
/// so ranks are bit-identical across peers. Building one costs `itemCount` calls to `pow` (the `zetan` sum);
/// `rank(_:)` costs one `pow` and never allocates.
struct ZipfianGenerator: Sendable {
    /// The skew parameter every peer uses.
    static let defaultTheta = 0.99

    /// The number of items; ranks are in `0..<itemCount`.
    let itemCount: UInt64
    /// The skew parameter.
    let theta: Double
    /// `sum_{i=1...itemCount} 1 / i^theta`, summed in increasing `i`.
    let zetan: Double
    /// `1 + 1 / 2^theta`.
    let zeta2: Double
    /// `1 / (1 - theta)`.
    let alpha: Double
    /// `(1 - (2 / itemCount)^(1 - theta)) / (1 - zeta2 / zetan)`.
    let eta: Double
    /// `0.5^theta`, the upper edge of rank 1 in `u * zetan` units (minus one).
    let halfPowTheta: Double

    /// Precomputes the distribution's constants.
    ///
    /// - Parameters:
    ///   - itemCount: the number of items, at least 1.
    ///   - theta: the skew, in (0, 1).
    /// - Complexity: O(`itemCount`) calls to `pow`.
    init(itemCount: UInt64, theta: Double = ZipfianGenerator.defaultTheta) {
        precondition(itemCount >= 1, "a zipfian distribution needs at least one item")
        self.itemCount = itemCount
        self.theta = theta
        var sum = 0.0
        for i in 1...itemCount {
            sum += 1.0 / Glibc.pow(Double(i), theta)
        }
        self.zetan = sum
        self.zeta2 = 1.0 + 1.0 / Glibc.pow(2.0, theta)
        self.alpha = 1.0 / (1.0 - theta)
        self.eta = (1.0 - Glibc.pow(2.0 / Double(itemCount), 1.0 - theta)) / (1.0 - zeta2 / sum)
        self.halfPowTheta = Glibc.pow(0.5, theta)
    }

    /// Maps a uniform draw `u` in [0, 1) to a rank in `0..<itemCount`; rank 0 is the most frequent.
    ///
    /// The final conversion truncates toward zero and is clamped to `itemCount - 1`, as in YCSB.
    func rank(_ u: Double) -> UInt64 {
        let uz = u * zetan
        if uz < 1.0 {
            return 0
        }
        if uz < 1.0 + halfPowTheta {
            return 1
        }
        // Written as separate products and sums, not fused, so the result matches the C peers bit for bit.
        let base = eta * u - eta + 1.0
        let r = UInt64(Double(itemCount) * Glibc.pow(base, alpha))
        return min(r, itemCount - 1)
    }
}
