import Glibc

/// An open file holding cold-tier regions: created or opened in a directory with `O_CLOEXEC`, optionally
/// `O_DIRECT`, preallocated with `fallocate`, and closed exactly once.
///
/// `~Copyable` because it owns a file descriptor: a copy would make a double close (or a use of a recycled
/// descriptor) possible. The descriptor is closed by ``close()``, which reports errors, or when the value ends.
///
/// Direct I/O: with `direct: true`, transfers bypass the page cache and must use addresses, lengths and offsets
/// that are multiples of the device's logical block size (512 bytes on this project's ext4 test machine; the page
/// size, 4 KiB, satisfies 512-byte and 4 KiB devices). A misaligned transfer completes
/// with `EINVAL`. Filesystems without direct I/O (tmpfs before Linux 6.6, some FUSE and overlay setups) refuse the
/// open with `EINVAL`; the caller can retry with `direct: false`.
package struct RegionFile: ~Copyable {
    /// The open descriptor, for queuing I/O. Valid until the file is closed.
    package let descriptor: Int32

    /// Whether the file was opened with `O_DIRECT`.
    package let isDirect: Bool

    /// Opens (and optionally creates) `name` in `directory` for reading and writing.
    ///
    /// A newly created file's directory entry is not durable until the directory is synced: call
    /// ``syncDirectory(_:)`` after creating files that must survive a crash.
    ///
    /// - Parameters:
    ///   - directory: The directory's path.
    ///   - name: The file's name: no `/`, not empty.
    ///   - create: Whether to create the file (mode 0600) when it does not exist.
    ///   - direct: Whether to open with `O_DIRECT`.
    /// - Throws: `SystemError` naming `open` and the path: `ENOENT`, `EACCES`, `EINVAL` (no direct I/O here, or a
    ///   bad name), ...
    /// - Complexity: One system call.
    package init(directory: String, name: String, create: Bool, direct: Bool) throws(SystemError) {
        guard !name.isEmpty, !name.contains("/") else {
            throw SystemError("open(\(name))", errno: EINVAL)
        }
        let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        // Not through a symbolic link: one planted in the directory could redirect the writes.
        var flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW
        if create { flags |= O_CREAT }
        if direct { flags |= Self.directFlag }
        descriptor = try retryingOnInterrupt("open(\(path))") { open(path, flags, FileBytes.creationMode) }
        isDirect = direct
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// `O_DIRECT`, which Glibc declares only under `_GNU_SOURCE` and so Swift does not import. The value is the
    /// kernel's and differs between architectures (`asm/fcntl.h`).
    #if arch(arm64)
    private static let directFlag: Int32 = 0o200000
    #else
    private static let directFlag: Int32 = 0o40000
    #endif

    /// Allocates disk blocks for `length` bytes at `offset`, growing the file when the range passes its end.
    ///
    /// After this succeeds, writes inside the range do not fail for lack of space, and the blocks are laid out
    /// together when the filesystem can.
    ///
    /// - Parameters:
    ///   - offset: The first byte (non-negative).
    ///   - length: The number of bytes (positive).
    /// - Throws: `SystemError` naming `fallocate` with the range: `ENOSPC` or `EDQUOT` when the disk or quota is
    ///   full (``SystemError/status`` is then ``TroveStatus/noSpace``), `EFBIG` past the file size limit, `EINVAL`
    ///   for a bad range.
    /// - Complexity: One `fallocate` system call (glibc's `posix_fallocate`, since Swift cannot import the GNU
    ///   `fallocate`); the filesystem's cost grows with the number of extents, not the bytes. Where the filesystem
    ///   cannot preallocate, glibc writes a zero byte into every block instead, which costs a pass over the range.
    package func preallocate(offset: Int64, length: Int64) throws(SystemError) {
        let name = "fallocate(\(length) bytes at offset \(offset))"
        _ = try retryingOnInterrupt(name) {
            // posix_fallocate returns the error number instead of setting errno; the wrapper reads errno.
            let result = posix_fallocate(descriptor, off_t(offset), off_t(length))
            guard result == 0 else {
                errno = result
                return -1
            }
            return 0
        }
    }

    /// The file's size in bytes.
    ///
    /// - Throws: `SystemError` naming `fstat`.
    /// - Complexity: One system call.
    package func size() throws(SystemError) -> Int64 {
        var status = stat()
        _ = try retryingOnInterrupt("fstat") { fstat(descriptor, &status) }
        return Int64(status.st_size)
    }

    /// Closes the file, reporting what the close reports (`EIO` for a failed deferred write on some filesystems).
    ///
    /// The descriptor is released even when this throws.
    ///
    /// - Throws: `SystemError` named `close`.
    package consuming func close() throws(SystemError) {
        let descriptor = self.descriptor
        discard self
        // Not retried on EINTR: Linux releases the descriptor before reporting it, so a retry could close a
        // descriptor another thread just opened.
        if Glibc.close(descriptor) != 0, errno != EINTR {
            throw SystemError("close", errno: errno)
        }
    }

    /// Makes the directory's entries (files created or renamed in it) durable.
    ///
    /// - Parameter directory: The directory's path.
    /// - Throws: `SystemError` naming `open` or `fsync` and the path.
    /// - Complexity: Three system calls, one of which waits for the disk.
    package static func syncDirectory(_ directory: String) throws(SystemError) {
        let descriptor = try retryingOnInterrupt("open(\(directory))") {
            open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { Glibc.close(descriptor) }
        _ = try retryingOnInterrupt("fsync(\(directory))") { fsync(descriptor) }
    }
}
