#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex with a condition variable, for threads that wait for work or for each other.
///
/// A class because both primitives must stay at one address for their whole life.
package final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        // Adaptive, as `PThreadMutex` explains: the cold tier's appends hold this lock for a copy.
        _ = PThreadMutex(initializingAt: UnsafeMutableRawPointer(mutex))
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    package func lock() {
        pthread_mutex_lock(mutex)
    }

    package func unlock() {
        pthread_mutex_unlock(mutex)
    }

    /// Releases the mutex until `broadcast` (or a spurious wake-up), then takes it again. Caller holds the mutex.
    package func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Wakes every thread in `wait`.
    package func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
