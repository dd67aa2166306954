import Synchronization
import TroveCore

#if canImport(Glibc)
import Glibc
#endif

/// An I/O queue that passes operations to a real one until a shared byte budget of writes
/// is used up, then fails every further write with `errno` (ENOSPC by default), as a
/// full disk would; and, once `failReads` is set, fails every read with EIO, as a
/// failing disk would.
package final class FailingIOQueue: IOQueue {
    /// What all queues made by one factory share: the write budget and the failures so far.
    package final class Budget: Sendable {
        let remaining: Atomic<Int>
        package let failures = Atomic<Int>(0)
        /// When set, reads complete with EIO instead of reaching the disk.
        package let failReads = Atomic<Bool>(false)
        let errno: Int32

        package init(bytes: Int, errno: Int32 = ENOSPC) {
            remaining = Atomic(bytes)
            self.errno = errno
        }
    }

    private let inner: any IOQueue
    private let budget: Budget
    private var failed: [IOCompletion] = []

    package init(wrapping inner: any IOQueue, budget: Budget) {
        self.inner = inner
        self.budget = budget
    }

    /// A factory whose queues share `budget`.
    package static func factory(_ budget: Budget) -> IOQueueFactory {
        IOQueueFactory { depth throws(SystemError) in
            FailingIOQueue(wrapping: try makeIOQueue(depth: depth, backend: .automatic), budget: budget)
        }
    }

    package var backend: IOBackend { inner.backend }
    package var outstanding: Int { inner.outstanding + failed.count }
    package var capacity: Int { inner.capacity }

    package func queueRead(
        fd: Int32,
        offset: Int64,
        into buffer: UnsafeMutableRawBufferPointer,
        tag: UInt64
    ) throws(SystemError) {
        if budget.failReads.load(ordering: .relaxed) {
            budget.failures.add(1, ordering: .relaxed)
            failed.append(IOCompletion(tag: tag, result: -EIO))
            return
        }
        try inner.queueRead(fd: fd, offset: offset, into: buffer, tag: tag)
    }

    package func queueWrite(
        fd: Int32,
        offset: Int64,
        from buffer: UnsafeRawBufferPointer,
        tag: UInt64
    ) throws(SystemError) {
        if budget.remaining.subtract(buffer.count, ordering: .relaxed).newValue < 0 {
            budget.failures.add(1, ordering: .relaxed)
            failed.append(IOCompletion(tag: tag, result: -budget.errno))
            return
        }
        try inner.queueWrite(fd: fd, offset: offset, from: buffer, tag: tag)
    }

    package func queueFsync(fd: Int32, dataOnly: Bool, afterPrevious: Bool, tag: UInt64) throws(SystemError) {
        try inner.queueFsync(fd: fd, dataOnly: dataOnly, afterPrevious: afterPrevious, tag: tag)
    }

    @discardableResult
    package func submit() throws(SystemError) -> Int {
        try inner.submit()
    }

    package func wait(forCompletions count: Int, timeout: Duration?) throws(SystemError) -> Bool {
        let real = count - failed.count
        guard real > 0 else { return true }
        return try inner.wait(forCompletions: real, timeout: timeout)
    }

    @discardableResult
    package func reapCompletions(_ body: (IOCompletion) -> Void) -> Int {
        let synthetic = failed
        failed.removeAll()
        synthetic.forEach(body)
        return synthetic.count + inner.reapCompletions(body)
    }
}
