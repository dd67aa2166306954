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
    ///
    /// The mutex is glibc's adaptive kind: a contended lock spins briefly before sleeping,
    /// because critical sections here last microseconds and a futex sleep and wake-up costs
    /// more than that on a VM (demotion throughput rose about 8% with it).
    package init(initializingAt memory: UnsafeMutableRawPointer) {
        // Safe because the caller gives `byteCount` bytes, aligned for the header they live in
        // (stripe headers are 128-byte aligned), that nothing else uses for the mutex's lifetime.
        assert(UInt(bitPattern: memory) % UInt(MemoryLayout<pthread_mutex_t>.alignment) == 0)
        pointer = memory.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        let status = pthread_mutex_init(pointer, &attributes)
        pthread_mutexattr_destroy(&attributes)
        assert(status == 0)
    }

    /// A view of a mutex already initialized at `memory`.
    package init(existingAt memory: UnsafeMutableRawPointer) {
        // Safe because `init(initializingAt:)` bound this memory to `pthread_mutex_t`.
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
