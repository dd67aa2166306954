import Glibc
import TroveCore

/// A zero-filled block of memory whose address is a multiple of ``alignment``, owned by exactly one value and freed
/// when that value ends: the buffer tests hand to `RegionFile` and `IOQueue` for direct (`O_DIRECT`) transfers.
///
/// It is `~Copyable` rather than a class so that ownership is a compile-time fact: no reference counting, no
/// sharing, and the memory is freed exactly once, deterministically, when the owner goes away. Buffers are few and
/// large (a region-sized write buffer, a slab of read slots sliced per request), so a single owner fits; a holder
/// that needs many can slice one.
///
/// The address is stable for the buffer's whole life (moving the value does not move the memory), which is what
/// queued I/O relies on: a pointer handed to an ``IOQueue`` stays valid until the buffer is destroyed.
package struct AlignedBuffer: ~Copyable {
    /// The alignment of every buffer: the page size, which also satisfies `O_DIRECT` on 512-byte and 4 KiB
    /// logical-block devices.
    package static let alignment = 4096

    /// The start of the memory, aligned to ``alignment``.
    private let base: UnsafeMutableRawPointer

    /// The usable size in bytes.
    package let count: Int

    /// Allocates `count` zeroed bytes aligned to ``alignment``.
    ///
    /// Zeroing costs one pass over the memory (about 0.1 ms per MiB) and keeps stale heap contents out of the
    /// padding of anything written to disk.
    ///
    /// - Parameter count: The size in bytes, at least 1.
    /// - Throws: `SystemError` named `posix_memalign` with `ENOMEM`, or `EINVAL` for a count below 1.
    package init(count: Int) throws(SystemError) {
        guard count >= 1 else {
            throw SystemError("posix_memalign", errno: EINVAL)
        }
        var memory: UnsafeMutableRawPointer?
        // posix_memalign returns the error number instead of setting errno, and never fails with EINTR.
        let result = posix_memalign(&memory, Self.alignment, count)
        guard result == 0, let memory else {
            throw SystemError("posix_memalign", errno: result == 0 ? ENOMEM : result)
        }
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: count)
        self.base = memory
        self.count = count
    }

    deinit {
        free(base)
    }

    /// Calls `body` with the buffer's bytes for reading.
    ///
    /// - Parameter body: Reads the bytes; its result is returned.
    /// - Throws: What `body` throws.
    /// - Complexity: O(1) plus `body`.
    /// - Warning: The pointer must not be used after the buffer is destroyed.
    package func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the buffer's bytes for writing (or for queuing a read into them).
    ///
    /// - Parameter body: Reads or writes the bytes; its result is returned.
    /// - Throws: What `body` throws.
    /// - Complexity: O(1) plus `body`.
    /// - Warning: The pointer must not be used after the buffer is destroyed. I/O queued with it must be reaped
    ///   before then, and the bytes must not be touched while such I/O is in flight.
    package mutating func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }
}
