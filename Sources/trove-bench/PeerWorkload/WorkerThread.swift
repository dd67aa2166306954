import Glibc

/// A POSIX thread that runs one closure and hands its result to whoever joins it.
///
/// The workload uses raw pthreads so that a worker is a plain OS thread with nothing scheduled on it but its loop.
/// Starting one allocates a small context; joining blocks until the closure returns. Every started thread must be
/// joined exactly once (copies share the thread).
struct WorkerThread<Result: Sendable> {
    private let thread: pthread_t
    private let slot: ResultSlot<Result>

    /// Starts a thread that runs `body`.
    ///
    /// - Throws: `WorkerThreadStartError` if the system refuses to create the thread.
    init(_ body: @escaping @Sendable () -> Result) throws(WorkerThreadStartError) {
        let slot = ResultSlot<Result>()
        let start = ThreadStart { slot.value = body() }
        let context = Unmanaged.passRetained(start).toOpaque()
        var thread = pthread_t()
        let code = pthread_create(
            &thread,
            nil,
            { context in
                guard let context else {
                    return nil
                }
                Unmanaged<ThreadStart>.fromOpaque(context).takeRetainedValue().run()
                return nil
            },
            context
        )
        guard code == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            throw WorkerThreadStartError(code: code)
        }
        self.thread = thread
        self.slot = slot
    }

    /// Waits for the thread to finish and returns what its closure returned.
    ///
    /// - Warning: blocks the calling thread until the closure returns.
    func join() -> Result {
        pthread_join(thread, nil)
        guard let result = slot.value else {
            preconditionFailure("a joined worker thread always has stored its result")
        }
        return result
    }
}

/// Why a worker thread could not be started.
struct WorkerThreadStartError: Error, CustomStringConvertible {
    /// The error number `pthread_create` returned.
    let code: Int32

    /// A sentence naming the failure and the system's explanation of the error number.
    var description: String {
        "cannot start a worker thread: pthread_create failed with error \(code) (\(String(cString: strerror(code))))"
    }
}

/// The closure a new thread runs, passed through `pthread_create`'s context pointer.
private final class ThreadStart {
    let run: () -> Void

    init(_ run: @escaping () -> Void) {
        self.run = run
    }
}

/// Where a thread leaves its result for `join()`.
///
/// Unchecked because it is written by the thread before it exits and read only after `pthread_join`, which orders
/// the two accesses.
private final class ResultSlot<Value>: @unchecked Sendable {
    var value: Value?
}
