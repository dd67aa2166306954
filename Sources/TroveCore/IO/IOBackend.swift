/// The implementation behind an ``IOQueue``.
package enum IOBackend: Sendable, Equatable {
    /// io_uring through liburing: asynchronous, many operations per system call.
    case ioUring
    /// `pread`/`pwrite`/`fdatasync`, one blocking system call per operation. `fallbackReason` is the io_uring setup
    /// failure that led here, or `nil` when the synchronous queue was asked for.
    case synchronous(fallbackReason: SystemError?)
}

/// Which ``IOBackend`` ``makeIOQueue(depth:backend:)`` should use.
package enum IOBackendSelection: Sendable, Equatable, CaseIterable {
    /// io_uring when it can be set up, else the synchronous queue (with the reason kept in its ``IOBackend``).
    case automatic
    /// io_uring only; setup failures are thrown.
    case ioUring
    /// The synchronous queue, even where io_uring works.
    case synchronous
}

/// Creates an I/O queue of the selected backend.
///
/// - Parameters:
///   - depth: Submission queue entries for io_uring (rounded up to a power of two by the kernel, at most 32768);
///     the synchronous queue uses it as its initial capacity.
///   - backend: Which implementation to use; `.automatic` falls back to the synchronous queue when io_uring setup
///     fails for any reason (`ENOSYS` on old kernels, `EPERM` when disabled by `kernel.io_uring_disabled` or a
///     seccomp filter, `ENOMEM`, ...).
/// - Returns: The queue; its ``IOQueue/backend`` says which implementation it is and why.
/// - Throws: `SystemError` from `io_uring_queue_init` when `.ioUring` was selected and setup failed, or `EINVAL`
///   for a depth below 1.
/// - Complexity: io_uring setup is one system call and maps the rings (tens of KiB for depths of a few hundred).
package func makeIOQueue(depth: Int, backend: IOBackendSelection = .automatic) throws(SystemError) -> any IOQueue {
    switch backend {
    case .ioUring:
        return try IORing(depth: depth)
    case .synchronous:
        return try SynchronousIOQueue(depth: depth, fallbackReason: nil)
    case .automatic:
        do {
            return try IORing(depth: depth)
        } catch {
            return try SynchronousIOQueue(depth: depth, fallbackReason: error)
        }
    }
}
