#if canImport(Glibc)
import Glibc
#endif

/// A thread of the engine's own that runs one closure; `join` waits for it to end.
///
/// The engine's background work (the removal listener's deliveries, refresh-ahead
/// reloads) runs on such threads rather than on a shared pool, so that `close` can wait
/// for exactly its own and give them back to the OS.
struct OwnThread {
    private let thread: pthread_t

    /// Starts a thread that runs `body` and ends when it returns.
    ///
    /// - Parameter purpose: What the thread is for, named in the error if it cannot start.
    /// - Throws: `EngineError(.outOfMemory)` when the OS refuses a thread.
    init(for purpose: String, _ body: @escaping @Sendable () -> Void) throws(EngineError) {
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        // Safe because the thread takes the retained box back exactly once, or, if it was never
        // created, the failure path below releases it.
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let code = pthread_create(
            &thread,
            nil,
            { context in
                // Safe because `context` is the non-null pointer passed to `pthread_create` below.
                Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
                return nil
            },
            context
        )
        guard code == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw EngineError(.outOfMemory, "could not start \(purpose) (pthread_create error \(code))")
        }
        self.thread = thread
    }

    /// Waits for the thread to end. Call once.
    ///
    /// Called on the thread itself, which happens when its work drops the last reference to
    /// the engine and the engine closes there, it detaches the thread instead: a thread
    /// cannot wait for itself, and a detached one gives its stack back when it ends.
    func join() {
        if pthread_equal(thread, pthread_self()) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }
}
