/// Opens a trace file for reading: picks the format and the decompression from the name, or from the caller.
enum TraceFile {
    /// A streaming reader of the trace at `path`.
    ///
    /// - Parameters:
    ///   - path: The file; a name ending in `.zst` is decompressed with libzstd as it is read.
    ///   - format: The record format, or `nil` to tell it from the name (see `TraceFormat.detect(fromName:)`).
    /// - Returns: A reader positioned at the first request.
    /// - Throws: `TraceError.unknownFormat` when the name says nothing and no format is given, or
    ///   `TraceError.cannotOpen`.
    static func open(_ path: String, format: TraceFormat? = nil) throws(TraceError) -> any TraceReader {
        guard let format = format ?? TraceFormat.detect(fromName: path) else { throw .unknownFormat(path: path) }
        let source: any TraceByteSource =
            TraceFormat.isCompressed(path) ? try ZstdByteSource(path: path) : try FileByteSource(path: path)
        switch format {
        case .oracle: return OracleGeneralReader(source: source)
        case .csv: return CSVTraceReader(source: source)
        }
    }

    /// Counts the distinct object ids of the trace at `path` in one streaming pass, without keeping the requests.
    ///
    /// - Returns: The number of requests and of distinct objects.
    /// - Throws: `TraceError` from opening or reading.
    /// - Complexity: O(requests) time, 8-16 bytes per distinct object of memory.
    static func census(_ path: String, format: TraceFormat? = nil) throws(TraceError) -> (requests: Int, objects: Int) {
        let reader = try open(path, format: format)
        var requests = 0
        var objects = Set<UInt64>()
        while let request = try reader.next() {
            requests += 1
            objects.insert(request.objectID)
        }
        return (requests, objects.count)
    }
}
