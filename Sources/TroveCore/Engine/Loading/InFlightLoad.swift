#if canImport(Glibc)
import Glibc
#endif

/// One key's load in progress: the caller that runs the loader (the leader) completes it,
/// and every caller that missed the same key meanwhile waits for its outcome.
///
/// Waiting is either blocking (`wait`, on a condition variable: no spinning) or by a
/// callback (`whenComplete`, for async callers that must not block a thread).
package final class InFlightLoad: @unchecked Sendable {
    /// The key's bytes.
    package let key: [UInt8]
    /// The key's hash (`KeyHash`).
    package let hash: UInt64
    /// The thread running the loader, for a leader that blocks a thread; `nil` for an async leader.
    let ownerThread: pthread_t?
    /// The tag invalidations counted when the load began (`TagIndex.epoch`): a value whose
    /// tags were invalidated since is not cached.
    let tagEpoch: UInt64
    /// The tags its caller said the value will carry, or `nil` if only the loader knows (C).
    let declaredTags: [[UInt8]]?
    /// Set, under the registry's lock, when a write or an invalidation of the key
    /// happened after the load began: its value must not be cached.
    var isStale = false
    /// Cleared, under the registry's lock, by a tag invalidation the value may be stale for:
    /// the load stays registered (writes must still reach it) but new callers start another.
    var isJoinable = true

    private let state = ConditionLockedValue(State())

    private struct State {
        var outcome: LoadOutcome?
        var callbacks: [@Sendable (LoadOutcome) -> Void] = []
    }

    init(key: [UInt8], hash: UInt64, ownerThread: pthread_t?, tagEpoch: UInt64, declaredTags: [[UInt8]]?) {
        self.key = key
        self.hash = hash
        self.ownerThread = ownerThread
        self.tagEpoch = tagEpoch
        self.declaredTags = declaredTags
    }

    /// Blocks until the load completes; returns its outcome.
    package func wait() -> LoadOutcome {
        state.withLockWaiting { $0.outcome }
    }

    /// Calls `callback` with the outcome once the load completes: at once (on this thread)
    /// if it already has, else on the thread that completes it.
    package func whenComplete(_ callback: @escaping @Sendable (LoadOutcome) -> Void) {
        let done: LoadOutcome? = state.withLock { state in
            if let outcome = state.outcome { return outcome }
            state.callbacks.append(callback)
            return nil
        }
        if let done { callback(done) }
    }

    /// Records the outcome and wakes every waiter. Called once, by the leader.
    func complete(_ outcome: LoadOutcome) {
        let callbacks = state.withLock { state in
            precondition(state.outcome == nil, "a load completes once")
            state.outcome = outcome
            defer { state.callbacks = [] }
            return state.callbacks
        }
        state.broadcast()
        for callback in callbacks { callback(outcome) }
    }
}
