/// The outcome of an engine operation, numerically identical to the C ABI's status codes.
///
/// Success values are non-negative and errors negative, so that the C layer can return
/// `rawValue` unchanged and Swift code can switch over the cases.
package enum TroveStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    case notFound = 1
    case invalidArgument = -1
    case tooBig = -2
    case bufferTooSmall = -3
    case closed = -4
    case outOfMemory = -5
    case ioError = -6
    case noSpace = -7
    case badFormat = -8

    /// A one-line description that says what went wrong and, for errors, what to do.
    package var message: String {
        switch self {
        case .ok: "success"
        case .notFound: "not found: the key is not in the cache (absent, deleted, expired or evicted)"
        case .invalidArgument:
            "invalid argument: a required pointer is NULL, a length is zero or out of range, or an option is unknown"
        case .tooBig: "too big: the key is longer than 1024 bytes or the value is larger than the engine's maximum"
        case .bufferTooSmall: "buffer too small: the value did not fit; retry with a buffer of the reported length"
        case .closed: "closed: the cache handle was closed; open a new one"
        case .outOfMemory:
            "out of memory: the budget could not hold the entry, or the OS refused memory; raise capacity_bytes"
        case .ioError: "I/O error: the disk tier failed a read or write; it keeps serving from memory"
        case .noSpace: "no space: the disk or the disk budget is full; free space or raise disk_capacity_bytes"
        case .badFormat:
            "bad format: the directory holds data of another format or geometry, or is corrupted; use another path"
        }
    }
}
