#if canImport(Glibc)
import Glibc
#endif

/// Estimates, online, how likely an entry is to be requested again soon, and measures how
/// often it is right.
///
/// A logistic regression over one-hot buckets of cheap features the engine already has
/// for every entry: the frequency sketch's count (history, including before the entry
/// was cached), the reads its slot counted since it was last examined, how many recency
/// ticks ago it was last read, and the queue it sits in. It learns by stochastic gradient
/// descent from labels the cache observes itself (see `ReuseLabels`), so it follows the
/// workload. State: 22 weights and two counters, whatever the cache size.
struct ReusePredictor {
    /// An entry's features: one active bucket in each of four groups (the bias is implicit).
    struct Features: Equatable {
        var frequency: UInt8
        var reads: UInt8
        var recency: UInt8
        var queue: UInt8

        /// Packed into 32 bits for the label tables.
        var packed: UInt32 {
            UInt32(frequency) | UInt32(reads) << 8 | UInt32(recency) << 16 | UInt32(queue) << 24
        }

        init(packed: UInt32) {
            frequency = UInt8(truncatingIfNeeded: packed)
            reads = UInt8(truncatingIfNeeded: packed >> 8)
            recency = UInt8(truncatingIfNeeded: packed >> 16)
            queue = UInt8(truncatingIfNeeded: packed >> 24)
        }

        /// Buckets an entry's raw signals.
        ///
        /// - Parameters:
        ///   - frequency: The sketch's estimate (0...15).
        ///   - reads: Reads since the entry was last examined (0...3).
        ///   - ticksSinceRead: Recency ticks since its last read (0...63).
        ///   - queue: The queue it is in (0...3: the core's window, probation, protected and outgoing).
        init(frequency: Int, reads: Int, ticksSinceRead: Int, queue: Int) {
            self.frequency = UInt8(frequency <= 3 ? frequency : (frequency <= 5 ? 4 : (frequency <= 8 ? 5 : 6)))
            self.reads = UInt8(min(reads, 3))
            let recency = ticksSinceRead
            self.recency = UInt8(
                recency == 0 ? 0 : (recency == 1 ? 1 : (recency < 4 ? 2 : (recency < 8 ? 3 : (recency < 16 ? 4 : 5))))
            )
            self.queue = UInt8(min(queue, 3))
        }
    }

    private static let frequencyOffset = 1
    private static let readsOffset = 8
    private static let recencyOffset = 12
    private static let queueOffset = 18
    static let weightCount = 22

    /// Memory of the model's state.
    static let byteCount = weightCount * MemoryLayout<Double>.stride + 3 * MemoryLayout<Int>.stride

    private var weights = [Double](repeating: 0, count: ReusePredictor.weightCount)
    private let learningRate = 0.1
    /// Labelled samples seen, how many the model got right before learning from them, and
    /// how many were reused (so a constant guess would be right `max(reused, labelled - reused)` times).
    private(set) var labelled = 0
    private(set) var correct = 0
    private(set) var reused = 0

    /// The estimated probability (0...1) that an entry with these features is requested again soon.
    func probability(_ features: Features) -> Double {
        let score =
            weights[0] + weights[ReusePredictor.frequencyOffset + Int(features.frequency)]
            + weights[ReusePredictor.readsOffset + Int(features.reads)]
            + weights[ReusePredictor.recencyOffset + Int(features.recency)]
            + weights[ReusePredictor.queueOffset + Int(features.queue)]
        return 1 / (1 + (-score).exponential)
    }

    /// Learns from one observed outcome, after scoring the prediction it would have made.
    mutating func learn(_ features: Features, reused: Bool) {
        let predicted = probability(features)
        labelled += 1
        if reused { self.reused += 1 }
        if (predicted >= 0.5) == reused { correct += 1 }
        let step = learningRate * ((reused ? 1 : 0) - predicted)
        weights[0] += step
        weights[ReusePredictor.frequencyOffset + Int(features.frequency)] += step
        weights[ReusePredictor.readsOffset + Int(features.reads)] += step
        weights[ReusePredictor.recencyOffset + Int(features.recency)] += step
        weights[ReusePredictor.queueOffset + Int(features.queue)] += step
    }
}

extension Double {
    /// e raised to this power, through the C library.
    fileprivate var exponential: Double { exp(self) }
}
