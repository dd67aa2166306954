import Glibc

/// Renders numbers with C's `printf` conversions, so the output lines are the C peers' byte for byte.
///
/// Goes through glibc's `vsnprintf`, which rounds `%.Nf` and shortens `%g` exactly as the reference does. Each call
/// allocates the returned string; it is for output lines, never for the measured path.
enum PrintfFormat {
    /// Returns `arguments` rendered by the C format string `format`.
    ///
    /// - Parameters:
    ///   - format: a `printf` format whose conversions match `arguments` (`%llu`/`%llx` for `UInt64`, `%d` for
    ///     `Int32`, `%f`/`%g` for `Double`); no `%s`, strings are concatenated in Swift instead.
    ///   - arguments: the values to convert.
    /// - Returns: the rendered text, or an empty string if `vsnprintf` reports an encoding error.
    static func render(_ format: String, _ arguments: CVarArg...) -> String {
        var capacity = 64
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let length = withVaList(arguments) { list in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, list) }
            }
            if length < 0 {
                return ""
            }
            if Int(length) < capacity {
                return String(decoding: buffer[..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity = Int(length) + 1
        }
    }
}
