import Glibc

/// A file's bytes as they are, read with `read(2)`.
///
/// Owns the file descriptor and closes it on deinit. Reads retry on `EINTR`.
final class FileByteSource: TraceByteSource {
    let path: String
    private let descriptor: Int32
    /// Bytes read from the file so far: the offset of the next byte.
    private(set) var offset: UInt64 = 0

    /// Opens `path` for reading.
    ///
    /// - Throws: `TraceError.cannotOpen` with the system's reason (no such file, permission denied, ...).
    init(path: String) throws(TraceError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, reason: FileByteSource.systemMessage(errno))
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Reads up to `buffer.count` bytes.
    ///
    /// - Returns: The bytes read, 0 at the end of the file.
    /// - Throws: `TraceError.readFailed` (reading a directory fails here too, with "Is a directory").
    /// - Complexity: One `read(2)` call, retried on `EINTR`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceError) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                offset += UInt64(count)
                return count
            }
            if errno != EINTR {
                throw .readFailed(path: path, reason: FileByteSource.systemMessage(errno))
            }
        }
    }

    /// The C library's text for an `errno` value.
    static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
