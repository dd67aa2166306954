/// The bytes of a trace file, in order: read from the file as they are, or decompressed on the way.
///
/// Single-owner and not thread-safe: a source keeps its file position and decompression state.
protocol TraceByteSource: AnyObject {
    /// The file's path, for messages.
    var path: String { get }

    /// Reads the next bytes into `buffer`.
    ///
    /// - Parameter buffer: Where the bytes go; must not be empty.
    /// - Returns: How many bytes were written, at least 1, or 0 at the end of the data.
    /// - Throws: `TraceError` when the file cannot be read or its compressed data is invalid.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceError) -> Int
}
