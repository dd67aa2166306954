import TroveCore

/// Static C strings naming each status code, for `trove_strerror`.
///
/// Built once; the strings live for the life of the process, so callers may keep the pointers.
/// The tables are `nonisolated(unsafe)` because they are never mutated after their
/// one-time, thread-safe initialization.
enum StatusNames {
    nonisolated(unsafe) private static let names: [Int32: UnsafePointer<CChar>] = {
        var names: [Int32: UnsafePointer<CChar>] = [:]
        for status in TroveStatus.allCases {
            names[status.rawValue] = permanent("\(status.symbol): \(status.message)")
        }
        return names
    }()

    nonisolated(unsafe) private static let unknown = permanent("unknown trove status code")

    static func name(of code: Int32) -> UnsafePointer<CChar> {
        names[code] ?? unknown
    }

    private static func permanent(_ text: String) -> UnsafePointer<CChar> {
        let bytes = Array(text.utf8CString)
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        storage.initialize(from: bytes, count: bytes.count)
        return UnsafePointer(storage)
    }
}
