#if canImport(Glibc)
import Glibc
#endif

/// A `pthread_mutex_t` living in memory the caller owns (a stripe header, say).
///
/// The engine uses pthread mutexes rather than `Synchronization.Mutex` for writers
/// because ThreadSanitizer intercepts pthread calls, so the lock's happens-before
/// edges are visible to it and the concurrency tests stay free of false reports.
/// The struct is a view: it does not own the memory and must not outlive it.
package struct PThreadMutex {
    @usableFromInline let pointer: UnsafeMutablePointer<pthread_mutex_t>

    /// Initializes a mutex in place at `memory`, which must hold `PThreadMutex.byteCount` bytes.
    package init(initializingAt memory: UnsafeMutableRawPointer) {
        pointer = memory.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        let status = pthread_mutex_init(pointer, nil)
        // pthread_mutex_init cannot fail for default attributes on glibc.
        assert(status == 0)
    }

    /// A view of a mutex already initialized at `memory`.
    package init(existingAt memory: UnsafeMutableRawPointer) {
        pointer = memory.assumingMemoryBound(to: pthread_mutex_t.self)
    }

    /// The bytes a mutex occupies.
    package static var byteCount: Int { MemoryLayout<pthread_mutex_t>.size }

    @inlinable
    package func lock() {
        pthread_mutex_lock(pointer)
    }

    /// Takes the lock if it is free; never blocks.
    @inlinable
    package func tryLock() -> Bool {
        pthread_mutex_trylock(pointer) == 0
    }

    @inlinable
    package func unlock() {
        pthread_mutex_unlock(pointer)
    }

    /// Runs `body` with the lock held.
    @inlinable
    package func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Releases the mutex's resources; the memory may then be reused.
    package func destroy() {
        pthread_mutex_destroy(pointer)
    }
}
