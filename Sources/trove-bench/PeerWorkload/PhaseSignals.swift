import Synchronization

/// The flags and counters the main thread and the workers of one phase share: a start flag, a stop flag and one
/// progress counter per worker.
///
/// Workers spin on `go` so they start together, publish their operation count every 256 operations, and check
/// `stop` at the same points. Each progress counter has its own 128-byte block (two cache lines, so that adjacent-line
/// prefetching does not pair them either), so publishing never contends with another worker. One instance serves
/// one phase; it allocates once, in `init`.
final class PhaseSignals: @unchecked Sendable {
    // Unchecked because the counters live in raw memory owned by this object: each is an `Atomic`, initialized in
    // `init` and deinitialized in `deinit`, and only ever accessed through atomic operations.

    /// Bytes between two progress counters.
    static let counterStride = 128

    /// Set once by the main thread to release the workers.
    let go = Atomic<Bool>(false)
    /// Set once by the main thread to end the phase.
    let stop = Atomic<Bool>(false)
    /// The number of progress counters, one per worker.
    let workerCount: Int

    private let counters: UnsafeMutableRawPointer

    /// Creates signals for `workerCount` workers with every counter at 0.
    init(workerCount: Int) {
        precondition(workerCount > 0, "a phase has at least one worker")
        self.workerCount = workerCount
        self.counters = UnsafeMutableRawPointer.allocate(
            byteCount: workerCount * PhaseSignals.counterStride,
            alignment: PhaseSignals.counterStride
        )
        for worker in 0..<workerCount {
            (counters + worker * PhaseSignals.counterStride)
                .bindMemory(to: Atomic<Int>.self, capacity: 1)
                .initialize(to: Atomic<Int>(0))
        }
    }

    deinit {
        for worker in 0..<workerCount {
            counter(worker).deinitialize(count: 1)
        }
        counters.deallocate()
    }

    /// Publishes that `worker` has completed `operations` operations so far in this phase.
    ///
    /// - Complexity: one relaxed store; it runs on the measured path every 256 operations.
    @inline(__always)
    func publish(_ operations: Int, worker: Int) {
        counter(worker).pointee.store(operations, ordering: .relaxed)
    }

    /// Returns the operations published so far by all workers.
    ///
    /// The counters are read one after another, not as a snapshot; the error is at most 256 operations per worker.
    func publishedOperations() -> Int {
        (0..<workerCount).reduce(0) { $0 &+ counter($1).pointee.load(ordering: .relaxed) }
    }

    @inline(__always)
    private func counter(_ worker: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        // Safe because every worker index in 0..<workerCount has an initialized counter at this offset.
        assert(worker >= 0 && worker < workerCount, "worker index out of range")
        return (counters + worker * PhaseSignals.counterStride).assumingMemoryBound(to: Atomic<Int>.self)
    }
}
