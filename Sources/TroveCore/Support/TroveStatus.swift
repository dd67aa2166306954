/// The outcome of an engine operation, numerically identical to the C ABI's status codes.
///
/// Success values are non-negative and errors negative, so the C layer returns
/// `rawValue` unchanged. A struct over the raw code rather than an enum: an enum with
/// these raw values would compute `rawValue` with a switch call on every C call,
/// while a stored `Int32` costs nothing.
package struct TroveStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: Int32

    @inlinable
    package init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    package static let ok = TroveStatus(rawValue: 0)
    package static let notFound = TroveStatus(rawValue: 1)
    package static let invalidArgument = TroveStatus(rawValue: -1)
    package static let tooBig = TroveStatus(rawValue: -2)
    package static let bufferTooSmall = TroveStatus(rawValue: -3)
    package static let closed = TroveStatus(rawValue: -4)
    package static let outOfMemory = TroveStatus(rawValue: -5)
    package static let ioError = TroveStatus(rawValue: -6)
    package static let noSpace = TroveStatus(rawValue: -7)
    package static let badFormat = TroveStatus(rawValue: -8)
    package static let loaderFailed = TroveStatus(rawValue: -9)

    /// Every status the engine returns.
    package static let allCases: [TroveStatus] = [
        .ok, .notFound, .invalidArgument, .tooBig, .bufferTooSmall, .closed, .outOfMemory, .ioError, .noSpace,
        .badFormat, .loaderFailed,
    ]

    /// Whether this is an error (negative) rather than a success or a miss.
    @inlinable
    package var isError: Bool { rawValue < 0 }

    /// The C name of the code, e.g. `TROVE_ENOMEM`.
    package var symbol: String {
        switch self {
        case .ok: "TROVE_OK"
        case .notFound: "TROVE_NOT_FOUND"
        case .invalidArgument: "TROVE_EINVAL"
        case .tooBig: "TROVE_ETOOBIG"
        case .bufferTooSmall: "TROVE_EBUFSIZE"
        case .closed: "TROVE_ECLOSED"
        case .outOfMemory: "TROVE_ENOMEM"
        case .ioError: "TROVE_EIO"
        case .noSpace: "TROVE_ENOSPC"
        case .badFormat: "TROVE_EFORMAT"
        case .loaderFailed: "TROVE_ELOADER"
        default: "TROVE_UNKNOWN(\(rawValue))"
        }
    }

    package var description: String { symbol }

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
        case .loaderFailed:
            "loader failed: the loader reported an error; nothing was cached, and the next call loads again"
        default: "unknown status \(rawValue)"
        }
    }
}
