import Glibc

/// An ``IOQueue`` that performs each operation with one blocking system call (`pread`, `pwrite`, `fsync` or
/// `fdatasync`) when it is submitted: the fallback for kernels and sandboxes without io_uring.
///
/// Results match ``IORing``'s for the same operations: bytes transferred (short at the end of a file) or `-errno`
/// in the completion, never a throw. Operations run in the order queued, so an fsync always follows the writes
/// queued before it. `wait` performs what is queued and returns at once: every operation is complete when it
/// returns, so timeouts never expire. Not thread-safe: single-owner, like every ``IOQueue``.
package final class SynchronousIOQueue: IOQueue {
    /// One queued operation, kept until `submit` performs it.
    ///
    /// Holding the caller's buffers past the call is safe because `IOQueue` requires them to stay valid
    /// until the completion is reaped.
    private enum Operation {
        case read(fd: Int32, offset: Int64, buffer: UnsafeMutableRawBufferPointer, tag: UInt64)
        case write(fd: Int32, offset: Int64, buffer: UnsafeRawBufferPointer, tag: UInt64)
        case fsync(fd: Int32, dataOnly: Bool, tag: UInt64)
    }

    package let backend: IOBackend

    /// Queued, not yet performed.
    private var pending: [Operation] = []

    /// Performed, not yet reaped.
    private var completed: [IOCompletion] = []

    package var outstanding: Int {
        pending.count + completed.count
    }

    package let capacity: Int

    /// Creates an empty queue.
    ///
    /// - Parameters:
    ///   - depth: The queue depth, 1...65536; ``capacity`` follows from it as it does for ``IORing``, and room for
    ///     that many operations is reserved up front.
    ///   - fallbackReason: The io_uring setup failure that led here, kept in ``backend``; `nil` when chosen.
    /// - Throws: `SystemError` with `EINVAL` for a depth out of range.
    package init(depth: Int, fallbackReason: SystemError?) throws(SystemError) {
        guard depth >= 1, depth <= Self.maximumDepth else {
            throw SystemError("SynchronousIOQueue", errno: EINVAL)
        }
        backend = .synchronous(fallbackReason: fallbackReason)
        // The completion ring size io_uring would give the same depth: twice the depth, rounded up to a power of 2.
        capacity = 2 << (Int.bitWidth - (depth - 1).leadingZeroBitCount)
        pending.reserveCapacity(capacity)
        completed.reserveCapacity(capacity)
    }

    /// The deepest queue accepted: bounds the memory reserved up front. io_uring's own limit is 32768.
    private static let maximumDepth = 65536

    package func queueRead(
        fd: Int32,
        offset: Int64,
        into buffer: UnsafeMutableRawBufferPointer,
        tag: UInt64
    ) throws(SystemError) {
        _ = try checkedTransfer(offset: offset, count: buffer.count, call: "pread")
        try reserveSlot()
        pending.append(.read(fd: fd, offset: offset, buffer: buffer, tag: tag))
    }

    package func queueWrite(
        fd: Int32,
        offset: Int64,
        from buffer: UnsafeRawBufferPointer,
        tag: UInt64
    ) throws(SystemError) {
        _ = try checkedTransfer(offset: offset, count: buffer.count, call: "pwrite")
        try reserveSlot()
        pending.append(.write(fd: fd, offset: offset, buffer: buffer, tag: tag))
    }

    package func queueFsync(fd: Int32, dataOnly: Bool, afterPrevious: Bool, tag: UInt64) throws(SystemError) {
        try reserveSlot()
        // Operations run in queue order, so every fsync already comes after what was queued before it.
        pending.append(.fsync(fd: fd, dataOnly: dataOnly, tag: tag))
    }

    @discardableResult
    package func submit() -> Int {
        let count = pending.count
        for operation in pending {
            completed.append(Self.perform(operation))
        }
        pending.removeAll(keepingCapacity: true)
        return count
    }

    package func wait(forCompletions count: Int, timeout: Duration?) throws(SystemError) -> Bool {
        guard count >= 0, count <= outstanding else {
            throw SystemError("SynchronousIOQueue.wait", errno: EINVAL)
        }
        submit()
        return true
    }

    @discardableResult
    package func reapCompletions(_ body: (IOCompletion) -> Void) -> Int {
        let count = completed.count
        for completion in completed {
            body(completion)
        }
        // `body` may queue operations, which go to `pending`; `completed` only grows in `submit`.
        completed.removeAll(keepingCapacity: true)
        return count
    }

    /// Checks that one more operation fits within ``capacity``, as ``IORing`` does.
    private func reserveSlot() throws(SystemError) {
        guard outstanding < capacity else {
            throw SystemError("SynchronousIOQueue.queue", errno: EBUSY)
        }
    }

    /// Performs one operation and returns its completion, with failures as `-errno`.
    private static func perform(_ operation: Operation) -> IOCompletion {
        switch operation {
        case .read(let fd, let offset, let buffer, let tag):
            return completion(tag: tag) { () throws(SystemError) in
                try retryingOnInterrupt("pread") { pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
            }
        case .write(let fd, let offset, let buffer, let tag):
            return completion(tag: tag) { () throws(SystemError) in
                try retryingOnInterrupt("pwrite") { pwrite(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
            }
        case .fsync(let fd, let dataOnly, let tag):
            return completion(tag: tag) { () throws(SystemError) in
                try retryingOnInterrupt(dataOnly ? "fdatasync" : "fsync") { dataOnly ? fdatasync(fd) : fsync(fd) }
            }
        }
    }

    /// Runs `call` and turns its outcome into a kernel-style result.
    private static func completion<Result: BinaryInteger>(
        tag: UInt64,
        _ call: () throws(SystemError) -> Result
    ) -> IOCompletion {
        do {
            // Transfers are checked to fit in Int32 when queued.
            return IOCompletion(tag: tag, result: Int32(try call()))
        } catch {
            return IOCompletion(tag: tag, result: -error.errno)
        }
    }
}
