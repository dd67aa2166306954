import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Tells a listener about entries leaving the cache, off the hot path: writers, holding a
/// stripe's lock, only append the key and the cause to a bounded queue, and one thread of
/// the queue's own calls the listener with no engine lock held.
///
/// Guarantees: notifications are delivered in the order they were queued (across stripes:
/// the order their writers took the queue's lock), one at a time, at most once; when
/// `capacity` are waiting, further ones are dropped and counted, and the writer never
/// waits for the listener. `stop` delivers what is queued, then ends the thread.
///
/// Memory: the key bytes and about 40 bytes per waiting notification, at most `capacity`.
package final class RemovalQueue: @unchecked Sendable {
    /// What a listener receives: the key's bytes (valid during the call) and why it left.
    package typealias Listener = @Sendable (UnsafeRawBufferPointer, RemovalCause) -> Void

    /// Notifications that may wait at once; beyond, they are dropped.
    package static let capacity = 4096

    /// Whether memory holds a key: asked, with no engine lock held, before delivering a
    /// notification queued `unlessInMemory`.
    package typealias MemoryCheck = @Sendable (UnsafeRawBufferPointer) -> Bool

    private struct Notification {
        var key: [UInt8]
        var cause: RemovalCause
        var unlessInMemory: Bool
    }

    private struct State {
        var pending: [Notification] = []
        var listener: Listener?
        var stopping = false
    }

    private let state = ConditionLockedValue(State())
    /// Whether a listener is set: writers read it before copying a key.
    private let active = Atomic<Bool>(false)
    /// Notifications delivered to a listener, and dropped because the queue was full.
    package let delivered = Atomic<UInt64>(0)
    package let dropped = Atomic<UInt64>(0)
    private var thread: OwnThread?
    private let isInMemory: MemoryCheck

    /// A queue whose thread starts now and calls `listener` (which `setListener` replaces).
    ///
    /// - Parameter isInMemory: Whether memory holds a key, for notifications queued
    ///   `unlessInMemory`.
    /// - Throws: `EngineError(.outOfMemory)` when the thread cannot be started.
    package init(listener: @escaping Listener, isInMemory: @escaping MemoryCheck) throws(EngineError) {
        self.isInMemory = isInMemory
        state.withLock { $0.listener = listener }
        active.store(true, ordering: .releasing)
        // The thread holds the queue until it ends, which `stop` waits for.
        thread = try OwnThread(for: "the removal listener's thread") { [self] in deliverUntilStopped() }
    }

    /// Replaces the listener; `nil` stops notifications (those queued are dropped uncounted).
    package func setListener(_ listener: Listener?) {
        state.withLock { state in
            state.listener = listener
            if listener == nil { state.pending = [] }
        }
        active.store(listener != nil, ordering: .releasing)
    }

    /// Whether a listener is set (a writer's cheap check before `enqueue`).
    @inline(__always)
    package var isActive: Bool { active.load(ordering: .relaxed) }

    /// Queues a notification, or drops and counts it if `capacity` are waiting. Never blocks
    /// on the listener: the lock is held only to append.
    ///
    /// - Parameter unlessInMemory: Deliver it only if memory does not hold the key by then
    ///   (for the disk tier, whose writer must not take memory's locks to find out).
    package func enqueue(key: UnsafeRawBufferPointer, cause: RemovalCause, unlessInMemory: Bool = false) {
        let notification = Notification(key: Array(key), cause: cause, unlessInMemory: unlessInMemory)
        let queued = state.withLock { state -> Bool in
            guard state.listener != nil, !state.stopping else { return true }
            guard state.pending.count < RemovalQueue.capacity else { return false }
            state.pending.append(notification)
            return true
        }
        if queued { state.broadcast() } else { dropped.add(1, ordering: .relaxed) }
    }

    /// Counts `count` notifications as dropped without queueing them: what the disk tier does
    /// when reporting a region's entries would slow it while it is behind.
    package func countDropped(_ count: Int) {
        guard count > 0, isActive else { return }
        dropped.add(UInt64(count), ordering: .relaxed)
    }

    /// Delivers what is queued, then ends the delivery thread. Call once, from `close`.
    package func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        thread?.join()
        thread = nil
    }

    private func deliverUntilStopped() {
        while true {
            let (batch, listener, stopping) = state.withLockWaiting {
                state -> ([Notification], Listener?, Bool)? in
                guard !state.pending.isEmpty || state.stopping else { return nil }
                defer { state.pending = [] }
                return (state.pending, state.listener, state.stopping)
            }
            if let listener {
                var count: UInt64 = 0
                for notification in batch {
                    notification.key.withUnsafeBytes { key in
                        guard !notification.unlessInMemory || !isInMemory(key) else { return }
                        listener(key, notification.cause)
                        count += 1
                    }
                }
                delivered.add(count, ordering: .relaxed)
            }
            if stopping && batch.isEmpty { return }
        }
    }
}
