/// The thread that runs one engine's background reloads (refresh-ahead) for synchronous
/// loaders, one at a time, in the order they were claimed, so that the read that found a
/// value due returns at once.
///
/// At most `capacity` reloads wait; a reload submitted beyond that is refused, and its
/// key is claimed again by a later read. `stop` lets the reload in progress finish, drops
/// the waiting ones and ends the thread.
///
/// `@unchecked Sendable`: its state is reached only under its locks.
final class RefreshWorker: @unchecked Sendable {
    /// One reload: runs the loader and ends the load.
    typealias Job = @Sendable () -> Void

    /// Reloads that may wait at once.
    static let capacity = 1024

    private struct State {
        var pending: [Job] = []
        var stopping = false
    }

    private let state = ConditionLockedValue(State())
    private let thread = ConditionLockedValue<OwnThread?>(nil)

    /// A worker whose thread starts now.
    ///
    /// - Throws: `EngineError(.outOfMemory)` when the thread cannot be started.
    init() throws(EngineError) {
        // The thread holds the worker until it ends, which `stop` waits for.
        let started = try OwnThread(for: "the refresh-ahead thread") { [self] in runUntilStopped() }
        thread.withLock { $0 = started }
    }

    /// Queues `job`; returns `false` (and drops it) when `capacity` wait or the worker stopped.
    func submit(_ job: @escaping Job) -> Bool {
        let queued = state.withLock { state -> Bool in
            guard !state.stopping, state.pending.count < RefreshWorker.capacity else { return false }
            state.pending.append(job)
            return true
        }
        if queued { state.broadcast() }
        return queued
    }

    /// Waits for the reload in progress, drops the waiting ones and ends the thread. Call once.
    func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        thread.withLock { thread in
            thread?.join()
            thread = nil
        }
    }

    private func runUntilStopped() {
        while true {
            let job = state.withLockWaiting { state -> Job?? in
                if state.stopping { return .some(nil) }
                guard !state.pending.isEmpty else { return nil }
                return state.pending.removeFirst()
            }
            guard let job else { return }
            job()
        }
    }
}
