/// A trace, one request at a time, in file order.
///
/// Readers stream: they hold one buffer of the file, never the whole trace. Single-owner, not thread-safe.
protocol TraceReader: AnyObject {
    /// The file's path, for messages.
    var path: String { get }

    /// The next request.
    ///
    /// - Returns: The request, or `nil` at the end of the trace.
    /// - Throws: `TraceError` saying what is wrong and where (record number or line number).
    func next() throws(TraceError) -> TraceRequest?
}
