#if canImport(Glibc)
import Glibc
#endif

/// Which blocked threads wait for which loads, so that a wait that would close a cycle
/// (thread A's loader waits for B's load while B's waits for A's) is refused instead of
/// hanging both threads forever.
///
/// One for the process (`shared`), since a cycle may run through several caches' loads.
/// Only waits touch it (a miss that joins another's load), never hits or writes.
final class LoadWaits: @unchecked Sendable {
    /// The process's wait graph.
    static let shared = LoadWaits()

    private let waiting = ConditionLockedValue<[UInt: InFlightLoad]>([:])

    /// Records that this thread waits for `load`; `false` (recording nothing) if the load's
    /// leader is, through the loads it waits for, waiting for this thread.
    func begin(waitingFor load: InFlightLoad) -> Bool {
        let me = pthread_self()
        return waiting.withLock { waiting in
            var next: InFlightLoad? = load
            // Each thread waits for one load at a time, so the chain of leaders is a path.
            while let current = next, let owner = current.ownerThread {
                if pthread_equal(owner, me) != 0 { return false }
                next = waiting[UInt(owner)]
            }
            waiting[UInt(me)] = load
            return true
        }
    }

    /// This thread's wait is over.
    func end() {
        let me = UInt(pthread_self())
        waiting.withLock { $0[me] = nil }
    }
}
