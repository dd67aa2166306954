/// The outcome of one queued I/O operation, as reaped from an ``IOQueue``.
///
/// A completion is two machine words and is delivered by value, so reaping a batch allocates nothing.
package struct IOCompletion: Sendable, Equatable {
    /// The caller's tag, given when the operation was queued.
    package var tag: UInt64
    /// The kernel's result: the bytes transferred (`0` for an fsync) when non-negative, `-errno` when negative.
    package var result: Int32

    /// Creates a completion from a tag and a kernel-style result.
    ///
    /// - Parameters:
    ///   - tag: The caller's tag.
    ///   - result: Bytes transferred, or `-errno`.
    package init(tag: UInt64, result: Int32) {
        self.tag = tag
        self.result = result
    }

    /// The bytes transferred, or `nil` when the operation failed.
    ///
    /// A read that returns fewer bytes than requested reached the end of the file (a short read); a write that
    /// does is a short write the caller must finish or treat as a failure.
    package var byteCount: Int? {
        result >= 0 ? Int(result) : nil
    }

    /// The failure as a ``SystemError`` naming `operation`, or `nil` when the operation succeeded.
    ///
    /// - Parameter operation: The name to put in the error (`"read"`, `"write"`, `"fsync"`).
    /// - Returns: The error carrying the positive `errno`, or `nil`.
    package func error(operation: String) -> SystemError? {
        result < 0 ? SystemError(operation, errno: -result) : nil
    }
}
