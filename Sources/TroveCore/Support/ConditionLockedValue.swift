/// A value that can be reached only with its lock held, and a condition to wait on for it to change.
///
/// Binding the value to its lock, as swift-nio's `NIOLockedValueBox` does, makes "guarded by"
/// a property of the type rather than of a comment: the only way to the value is through
/// `withLock` or `withLockWaiting`, both of which hold the lock for exactly the access.
final class ConditionLockedValue<Value> {
    private let lock = ConditionLock()
    /// The value lives behind a pointer rather than in a stored `var` so that handing it out
    /// `inout` costs no runtime exclusivity check: the mutex already makes every access exclusive.
    private let storage: UnsafeMutablePointer<Value>

    /// Wraps `value`, which from now on is reachable only under the lock.
    init(_ value: Value) {
        storage = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        storage.initialize(to: value)
    }

    deinit {
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    /// Runs `body` with the lock held and the value in hand.
    ///
    /// - Parameter body: Reads or changes the value, which it has `inout` for its duration only.
    /// - Returns: What `body` returns.
    /// - Warning: Blocks while another thread holds the lock. `body` must not call back into
    ///   this value's `withLock` or `withLockWaiting`: the lock is not recursive.
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        // Safe because `storage` was initialized in `init` and the mutex keeps every other access out.
        return body(&storage.pointee)
    }

    /// Runs `attempt` with the lock held, and again after every `broadcast` for as long as it returns `nil`.
    ///
    /// The lock is released while waiting, so other threads can change the value meanwhile. Each
    /// attempt therefore gets the value `inout` afresh: a single `inout` access spanning the wait
    /// would let the compiler assume nothing else touched the value.
    ///
    /// - Parameter attempt: Returns the result, or `nil` to wait for a `broadcast` (or a spurious
    ///   wake-up) and be called again.
    /// - Returns: The first result `attempt` returns.
    /// - Warning: Blocks until `attempt` returns a result. Like `withLock`, not reentrant.
    func withLockWaiting<Result>(_ attempt: (inout Value) -> Result?) -> Result {
        lock.lock()
        defer { lock.unlock() }
        while true {
            // Safe because `storage` was initialized in `init` and the mutex keeps every other access out.
            if let result = attempt(&storage.pointee) { return result }
            lock.wait()
        }
    }

    /// Wakes every thread waiting in `withLockWaiting`, to try its attempt again.
    ///
    /// Callable with or without the lock held; a waiter cannot miss a change made under the lock
    /// before it, since it rechecks the value under the lock before it waits.
    func broadcast() {
        lock.broadcast()
    }
}

extension ConditionLockedValue: @unchecked Sendable where Value: Sendable {}
