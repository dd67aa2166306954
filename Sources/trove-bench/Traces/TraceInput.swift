/// A read buffer over a `TraceByteSource`, for readers that parse records or lines out of it.
///
/// Readers look at `unread`, `consume` what they parsed, and `refill` when a record or line does not fit in what is
/// left; refilling moves the unread tail to the front and reads after it, so a record split across two reads comes
/// out whole. Owns its buffer and frees it on deinit; single-owner, not thread-safe.
final class TraceInput {
    /// Where the bytes come from.
    let source: any TraceByteSource
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var ended = false
    /// Bytes consumed so far: the offset, in the source's (uncompressed) data, of `unread`'s first byte.
    private(set) var offset: UInt64 = 0

    /// Wraps `source` with a buffer of `capacity` bytes, the longest record or line a reader can see whole.
    init(source: any TraceByteSource, capacity: Int = 1 << 20) {
        self.source = source
        storage = .allocate(byteCount: max(capacity, 64), alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// The file's path, for messages.
    var path: String { source.path }

    /// The buffered bytes not consumed yet.
    ///
    /// - Warning: Valid until the next `consume` or `refill`; do not keep it.
    var unread: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[start..<end])
    }

    /// Whether `unread` already holds as much as the buffer can: a longer record or line can never fit.
    var isFull: Bool { start == 0 && end == storage.count }

    /// Marks the first `count` unread bytes as parsed.
    func consume(_ count: Int) {
        assert(count <= end - start)
        start += count
        offset += UInt64(count)
    }

    /// Reads more bytes after the unread ones.
    ///
    /// - Returns: `false` when the source has ended (or the buffer is full) and nothing was added.
    /// - Throws: The source's `TraceError`.
    /// - Complexity: Moves at most the unread bytes (one record or line) and reads once.
    func refill() throws(TraceError) -> Bool {
        if ended { return false }
        if start > 0 {
            let remaining = end - start
            if remaining > 0, let base = storage.baseAddress {
                base.copyMemory(from: base + start, byteCount: remaining)
            }
            start = 0
            end = remaining
        }
        guard end < storage.count else { return false }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
        if count == 0 {
            ended = true
            return false
        }
        end += count
        return true
    }
}
