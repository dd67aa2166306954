import TroveCore

/// An error from a cache operation: what kind, and a sentence saying what went wrong and what to do.
public struct TroveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of error; its raw value is the C ABI's status code.
    public enum Code: Int32, Sendable {
        /// A bad argument or option: an empty key, a stripe count that is not a power of two...
        case invalidArgument = -1
        /// A key over 1024 bytes, or a value too large for one arena segment.
        case tooBig = -2
        /// The cache was closed.
        case closed = -4
        /// No memory could be found or freed for the entry, or the OS refused memory.
        case outOfMemory = -5
        /// The disk tier failed a read or write.
        case ioError = -6
        /// The disk, or the disk budget, is full.
        case noSpace = -7
        /// The cache directory holds another format or geometry, or is corrupted.
        case badFormat = -8
    }

    /// The kind of error.
    public var code: Code
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    init(_ error: EngineError) {
        self.init(status: error.status, message: error.message)
    }

    init(status: TroveStatus, message: String? = nil) {
        let code = Code(rawValue: status.rawValue) ?? .invalidArgument
        self.init(code, message ?? status.message)
    }
}
