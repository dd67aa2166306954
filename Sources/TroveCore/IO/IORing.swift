import CLiburing
import Glibc

/// An io_uring instance (through liburing) used as an ``IOQueue``: reads, writes and fsyncs are queued as submission
/// entries, submitted in one system call, and reaped from the completion ring without system calls.
///
/// Not thread-safe: a ring is single-owner. Callers serialize access or keep one ring per thread. The ring is set
/// up without flags: no `SQPOLL` or `IOPOLL` (no kernel thread, no polled completions), so it works on any file
/// and costs one `io_uring_enter` per submission or wait; and no `SINGLE_ISSUER`/`DEFER_TASKRUN`, which would tie
/// the ring to the thread that created it (they measured no faster here).
///
/// Throughput: to keep a queue depth on a virtio disk, submit each operation as soon as it is queued (one
/// `submit()` per read). Letting 25-30 replacement reads gather for one submission measured about 20% fewer
/// operations per second than fio: the device then completes them as one convoy. A batch of reads known at once
/// (a multi-key get) is still best queued together and submitted once.
///
/// The `struct io_uring` lives in its own heap allocation because liburing keeps pointers into it and the kernel's
/// mapped rings; a class property passed `inout` would not have a stable address.
package final class IORing: IOQueue {
    /// The liburing state. Owned: set up in `init`, torn down in `deinit`.
    let ring: UnsafeMutablePointer<io_uring>

    package internal(set) var outstanding = 0

    package let capacity: Int

    package var backend: IOBackend { .ioUring }

    /// Sets up a ring with `depth` submission entries and twice as many completion entries (``capacity``).
    ///
    /// - Parameter depth: Submission queue entries, 1...32768; the kernel rounds up to a power of two. The queue
    ///   submits by itself when more than this many operations are queued between submissions.
    /// - Throws: `SystemError` named `io_uring_queue_init` with the kernel's errno: `ENOSYS` (no io_uring, or a
    ///   kernel before 5.11), `EPERM` (disabled by `kernel.io_uring_disabled` or seccomp), `ENOMEM`, or `EINVAL`
    ///   (bad depth). Callers
    ///   that can live without io_uring fall back to ``SynchronousIOQueue`` (see ``makeIOQueue(depth:backend:)``).
    /// - Complexity: One system call and a few mappings.
    package init(depth: Int) throws(SystemError) {
        guard depth >= 1, depth <= Int(UInt32.max) else {
            throw SystemError("io_uring_queue_init", errno: EINVAL)
        }
        ring = .allocate(capacity: 1)
        ring.initialize(to: io_uring())
        let result = io_uring_queue_init(UInt32(depth), ring, 0)
        if result < 0 {
            ring.deallocate()
            throw SystemError("io_uring_queue_init", errno: -result)
        }
        // Safe to read `ring.pointee` from here on: `io_uring_queue_init` set it up.
        // Without EXT_ARG, liburing implements timed waits with a timeout entry whose completion would show up
        // among the caller's; such kernels (before 5.11) get the synchronous fallback instead.
        guard ring.pointee.features & UInt32(IORING_FEAT_EXT_ARG) != 0 else {
            io_uring_queue_exit(ring)
            ring.deallocate()
            throw SystemError("io_uring_queue_init (IORING_FEAT_EXT_ARG, Linux 5.11)", errno: ENOSYS)
        }
        capacity = Int(ring.pointee.cq.ring_entries)
    }

    deinit {
        io_uring_queue_exit(ring)
        ring.deallocate()
    }

    package func queueRead(
        fd: Int32,
        offset: Int64,
        into buffer: UnsafeMutableRawBufferPointer,
        tag: UInt64
    ) throws(SystemError) {
        let length = try checkedTransfer(offset: offset, count: buffer.count, call: "io_uring_prep_read")
        let entry = try nextSubmissionEntry()
        // Safe because `IOQueue` requires `buffer` to stay valid until the completion is reaped.
        io_uring_prep_read(entry, fd, buffer.baseAddress, length, UInt64(offset))
        io_uring_sqe_set_data64(entry, tag)
    }

    package func queueWrite(
        fd: Int32,
        offset: Int64,
        from buffer: UnsafeRawBufferPointer,
        tag: UInt64
    ) throws(SystemError) {
        let length = try checkedTransfer(offset: offset, count: buffer.count, call: "io_uring_prep_write")
        let entry = try nextSubmissionEntry()
        // Safe because `IOQueue` requires `buffer` to stay valid and unmodified until the completion is reaped.
        io_uring_prep_write(entry, fd, buffer.baseAddress, length, UInt64(offset))
        io_uring_sqe_set_data64(entry, tag)
    }

    package func queueFsync(fd: Int32, dataOnly: Bool, afterPrevious: Bool, tag: UInt64) throws(SystemError) {
        let entry = try nextSubmissionEntry()
        io_uring_prep_fsync(entry, fd, dataOnly ? UInt32(IORING_FSYNC_DATASYNC) : 0)
        if afterPrevious {
            io_uring_sqe_set_flags(entry, Self.drainFlag)
        }
        io_uring_sqe_set_data64(entry, tag)
    }

    /// `IOSQE_IO_DRAIN`, which Swift cannot import (the macro shifts by an enum constant).
    private static let drainFlag = UInt32(1) << IOSQE_IO_DRAIN_BIT

    /// A free submission entry, counted as outstanding.
    @inline(__always)
    private func nextSubmissionEntry() throws(SystemError) -> UnsafeMutablePointer<io_uring_sqe> {
        guard outstanding < capacity else {
            throw SystemError("io_uring_get_sqe", errno: EBUSY)
        }
        if let entry = io_uring_get_sqe(ring) {
            outstanding += 1
            return entry
        }
        return try nextSubmissionEntryAfterSubmitting()
    }

    /// The slow path of `nextSubmissionEntry`: the submission queue is full, so hand it to the kernel first.
    @inline(never)
    private func nextSubmissionEntryAfterSubmitting() throws(SystemError) -> UnsafeMutablePointer<io_uring_sqe> {
        try submit()
        guard let entry = io_uring_get_sqe(ring) else {
            // The kernel took none of the entries, which it does only when it is short of memory.
            throw SystemError("io_uring_get_sqe", errno: EBUSY)
        }
        outstanding += 1
        return entry
    }
}
