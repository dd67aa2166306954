#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the call's name and the `errno` it reported.
package struct SystemError: Error, Equatable, CustomStringConvertible {
    /// The name of the failed call, for messages (`"mmap"`, `"io_uring_queue_init"`, ...).
    package var call: String
    /// The `errno` value (positive).
    package var errno: Int32

    package init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    package var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }

    /// The engine status a caller should see for this failure.
    package var status: TroveStatus {
        switch errno {
        case ENOSPC, EDQUOT, EFBIG: .noSpace
        case ENOMEM: .outOfMemory
        case EINVAL: .invalidArgument
        default: .ioError
        }
    }
}

/// Runs a system call that returns `-1` and sets `errno` on failure, retrying on `EINTR`.
///
/// - Parameters:
///   - name: The call's name, kept in the error.
///   - body: The call.
/// - Returns: The call's non-negative result.
/// - Throws: `SystemError` with the call's `errno`.
@inline(__always)
package func retryingOnInterrupt<Result: BinaryInteger>(
    _ name: @autoclosure () -> String,
    _ body: () -> Result
) throws(SystemError) -> Result {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(name(), errno: code)
    }
}
