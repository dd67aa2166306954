/// Reads a plain CSV trace, one request per line: `timestamp,key,size`.
///
/// - `timestamp` and `size` are unsigned decimal integers (`size` below 2^32); spaces around them are ignored.
/// - `key` is everything between the first and the last comma, taken byte for byte (no quoting, no trimming), so a
///   key may itself contain commas; it must not be empty. It becomes an object id through `TraceKeyHash`.
/// - Lines end with `\n` or `\r\n`; blank lines are skipped. A first line whose timestamp and size are both not
///   numbers is a header and is skipped.
///
/// A bad line stops the read with `TraceError.badCSVLine`, naming the line number and what is wrong with it.
final class CSVTraceReader: TraceReader {
    private static let newline = UInt8(ascii: "\n")
    private static let comma = UInt8(ascii: ",")

    private let input: TraceInput
    private var line = 0
    private var sawRequestOrHeader = false

    var path: String { input.path }

    /// Reads lines from `source` (a plain file, or a decompressing one); lines may be up to 1 MiB long.
    init(source: any TraceByteSource) {
        input = TraceInput(source: source, capacity: 1 << 20)
    }

    /// The next request.
    ///
    /// - Returns: The request, or `nil` at the end of the file.
    /// - Throws: `TraceError.badCSVLine` for a malformed or over-long line, or the source's error.
    /// - Complexity: O(line length).
    func next() throws(TraceError) -> TraceRequest? {
        while true {
            guard let (text, consumed) = try nextLine() else { return nil }
            line += 1
            let request = try parse(text)
            input.consume(consumed)
            if let request { return request }
        }
    }

    /// The next line without its terminator, and the bytes to consume for it; `nil` at the end of the file.
    private func nextLine() throws(TraceError) -> (UnsafeRawBufferPointer, Int)? {
        var searched = 0
        while true {
            let bytes = input.unread
            if let newline = bytes[searched...].firstIndex(of: CSVTraceReader.newline) {
                return (UnsafeRawBufferPointer(rebasing: bytes[..<newline]), newline + 1)
            }
            searched = bytes.count
            if input.isFull {
                throw .badCSVLine(path: path, line: line + 1, reason: "the line is longer than 1 MiB")
            }
            guard try input.refill() else {
                let rest = input.unread
                return rest.isEmpty ? nil : (rest, rest.count)
            }
            // Refilling moves the unread bytes to the front, so what was searched keeps its length, not its address.
        }
    }

    /// The request on one line, or `nil` for a blank line or the header.
    private func parse(_ raw: UnsafeRawBufferPointer) throws(TraceError) -> TraceRequest? {
        var text = raw
        if text.last == UInt8(ascii: "\r") { text = UnsafeRawBufferPointer(rebasing: text.dropLast()) }
        if text.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return nil }
        guard let first = text.firstIndex(of: CSVTraceReader.comma),
            let last = text.lastIndex(of: CSVTraceReader.comma), first < last
        else {
            throw .badCSVLine(path: path, line: line, reason: "expected 3 fields separated by commas")
        }
        let timestampField = UnsafeRawBufferPointer(rebasing: text[..<first])
        let key = UnsafeRawBufferPointer(rebasing: text[(first + 1)..<last])
        let sizeField = UnsafeRawBufferPointer(rebasing: text[(last + 1)...])
        let timestamp = CSVTraceReader.decimal(timestampField, limit: UInt64.max)
        let size = CSVTraceReader.decimal(sizeField, limit: UInt64(UInt32.max))
        let isFirst = !sawRequestOrHeader
        sawRequestOrHeader = true
        if isFirst && timestamp == nil && size == nil { return nil }
        guard let timestamp else {
            throw .badCSVLine(
                path: path,
                line: line,
                reason: "timestamp '\(CSVTraceReader.excerpt(timestampField))' is not an unsigned decimal integer"
            )
        }
        guard let size else {
            throw .badCSVLine(
                path: path,
                line: line,
                reason: "size '\(CSVTraceReader.excerpt(sizeField))' is not a decimal integer in 0...4294967295"
            )
        }
        guard !key.isEmpty else {
            throw .badCSVLine(path: path, line: line, reason: "the key is empty")
        }
        return TraceRequest(timestamp: timestamp, objectID: TraceKeyHash.objectID(key), size: UInt32(size))
    }

    /// The unsigned decimal in `field` (spaces and tabs around it allowed), or `nil` if it is not one or exceeds
    /// `limit`.
    static func decimal(_ field: UnsafeRawBufferPointer, limit: UInt64) -> UInt64? {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let start = field.firstIndex(where: { !blank($0) }), let end = field.lastIndex(where: { !blank($0) })
        else { return nil }
        var value: UInt64 = 0
        for byte in field[start...end] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 && sum <= limit else { return nil }
            value = sum
        }
        return value
    }

    /// At most 40 characters of `field`, for an error message.
    private static func excerpt(_ field: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: field.prefix(40), as: UTF8.self)
        return field.count > 40 ? text + "..." : text
    }
}
