import Glibc

/// A queue of file reads, writes and fsyncs that completes them in batches: queue many, submit once, reap all.
///
/// Two implementations stand behind it: ``IORing`` (io_uring, asynchronous) and ``SynchronousIOQueue`` (`pread`,
/// `pwrite` and `fdatasync`, for kernels or sandboxes where io_uring is unavailable). ``makeIOQueue(depth:backend:)``
/// picks one. Both deliver the same results for the same operations, so callers are written once.
///
/// A queue is single-owner and not thread-safe: one thread uses it at a time (callers serialize access or keep one
/// queue per thread). Queued buffers are borrowed, not copied: each must stay valid, and must not be touched (by a
/// read) or modified (by a write) by anyone else, until its completion has been reaped.
///
/// Limits: a transfer is at most `Int32.max` bytes (results are 32-bit) and offsets are non-negative.
package protocol IOQueue: AnyObject {
    /// Which implementation this queue uses and, for the synchronous one, why.
    var backend: IOBackend { get }

    /// Operations queued and not yet reaped (pending submission, in flight, or completed and waiting to be reaped).
    var outstanding: Int { get }

    /// The most operations that may be outstanding at once: twice the depth rounded up to a power of two (the
    /// size of io_uring's completion ring, so completions never overflow it). Queuing more throws `EBUSY`.
    var capacity: Int { get }

    /// Queues a read of `buffer.count` bytes at `offset` of `fd` into `buffer`.
    ///
    /// The read may return fewer bytes than asked for at the end of the file; an invalid `fd` or a failed read
    /// completes with a negative result (`-errno`), it does not throw.
    ///
    /// - Parameters:
    ///   - fd: An open file descriptor.
    ///   - offset: The byte offset in the file (non-negative).
    ///   - buffer: Where the bytes go. With `O_DIRECT`, its address, count and `offset` must be block-aligned.
    ///   - tag: The caller's tag, returned in the completion.
    /// - Throws: `SystemError` with `EINVAL` for a negative offset or an oversized buffer, `EBUSY` when
    ///   ``capacity`` operations are outstanding (reap first); for io_uring, the failure of the submission it makes
    ///   when the submission queue is full.
    /// - Complexity: O(1); io_uring makes a system call only when its submission queue is full.
    /// - Warning: `buffer` must stay valid and untouched until the completion is reaped.
    func queueRead(
        fd: Int32,
        offset: Int64,
        into buffer: UnsafeMutableRawBufferPointer,
        tag: UInt64
    ) throws(SystemError)

    /// Queues a write of `buffer` at `offset` of `fd`.
    ///
    /// - Parameters:
    ///   - fd: An open file descriptor.
    ///   - offset: The byte offset in the file (non-negative).
    ///   - buffer: The bytes to write. With `O_DIRECT`, its address, count and `offset` must be block-aligned.
    ///   - tag: The caller's tag, returned in the completion.
    /// - Throws: `SystemError` with `EINVAL` for a negative offset or an oversized buffer, `EBUSY` when
    ///   ``capacity`` operations are outstanding (reap first); for io_uring, the failure of the submission it makes
    ///   when the submission queue is full.
    /// - Complexity: O(1); io_uring makes a system call only when its submission queue is full.
    /// - Warning: `buffer` must stay valid and unmodified until the completion is reaped.
    func queueWrite(fd: Int32, offset: Int64, from buffer: UnsafeRawBufferPointer, tag: UInt64) throws(SystemError)

    /// Queues an fsync of `fd`.
    ///
    /// io_uring starts operations in any order, so an fsync queued beside writes may run before them; pass
    /// `afterPrevious: true` to make it wait until every operation queued before it has completed, which lets one
    /// submission write a buffer and make it durable.
    ///
    /// - Parameters:
    ///   - fd: An open file descriptor.
    ///   - dataOnly: `true` for `fdatasync` semantics (data and the metadata needed to read it back), `false` for a
    ///     full `fsync`.
    ///   - afterPrevious: Whether to order the fsync after all previously queued operations.
    ///   - tag: The caller's tag, returned in the completion.
    /// - Throws: `SystemError` with `EBUSY` when ``capacity`` operations are outstanding (reap first), or the
    ///   failure of the submission io_uring makes when its submission queue is full.
    /// - Complexity: O(1).
    func queueFsync(fd: Int32, dataOnly: Bool, afterPrevious: Bool, tag: UInt64) throws(SystemError)

    /// Hands every queued operation to the kernel without waiting for any to complete.
    ///
    /// - Returns: The number of operations submitted.
    /// - Throws: `SystemError` when the submission fails (retried on `EINTR`).
    /// - Complexity: One system call for io_uring; the synchronous queue performs the operations here, one system
    ///   call each.
    @discardableResult
    func submit() throws(SystemError) -> Int

    /// Submits what is queued, then blocks until at least `count` completions are ready to reap or `timeout` passes.
    ///
    /// - Parameters:
    ///   - count: The completions to wait for, from 0 to ``outstanding``.
    ///   - timeout: The longest wait, or `nil` to wait as long as it takes.
    /// - Returns: `true` when `count` completions are ready, `false` when the timeout passed first.
    /// - Throws: `SystemError` with `EINVAL` when `count` is negative or exceeds ``outstanding`` (the wait could
    ///   never end), or the failure of the submission or wait. An interrupted wait (`EINTR`) is resumed with the
    ///   time remaining.
    /// - Complexity: One system call unless nothing is queued and the completions are already ready.
    /// - Warning: Blocks the calling thread.
    func wait(forCompletions count: Int, timeout: Duration?) throws(SystemError) -> Bool

    /// Hands every completion ready now to `body`, in completion order, and forgets them.
    ///
    /// `body` may queue new operations (to keep a queue depth); it must not reap from this queue.
    ///
    /// - Parameter body: Called once per completion.
    /// - Returns: The number of completions reaped.
    /// - Complexity: O(completions ready); no system call and no allocation.
    @discardableResult
    func reapCompletions(_ body: (IOCompletion) -> Void) -> Int
}

extension IOQueue {
    /// Blocks until at least `count` completions are ready to reap; ``IOQueue/wait(forCompletions:timeout:)``
    /// without a timeout.
    ///
    /// - Parameter count: The completions to wait for, at most ``IOQueue/outstanding``.
    /// - Throws: `SystemError`, as ``IOQueue/wait(forCompletions:timeout:)`` does.
    /// - Warning: Blocks the calling thread.
    package func wait(forCompletions count: Int) throws(SystemError) {
        _ = try wait(forCompletions: count, timeout: nil)
    }
}

/// Checks a transfer's offset and length against what both queues accept, and returns the length for io_uring.
///
/// - Throws: `SystemError` with `EINVAL`, naming `call`.
@inline(__always)
func checkedTransfer(offset: Int64, count: Int, call: StaticString) throws(SystemError) -> UInt32 {
    guard offset >= 0, count <= Int(Int32.max) else {
        throw SystemError("\(call)", errno: EINVAL)
    }
    return UInt32(truncatingIfNeeded: count)
}
