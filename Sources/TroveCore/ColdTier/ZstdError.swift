/// Why a ``ZstdCodec`` operation failed.
package enum ZstdError: Error, Equatable, CustomStringConvertible {
    /// The compression level is outside zstd's range (`ZSTD_minCLevel()...ZSTD_maxCLevel()`).
    case invalidLevel(Int)
    /// zstd could not allocate a context.
    case outOfMemory
    /// The destination buffer holds fewer bytes than the operation needs.
    case outputTooSmall(required: Int)
    /// The input is not a valid zstd frame, or decoding it failed; `reason` is zstd's error name.
    case corrupted(reason: String)
    /// The frame decodes (or says it decodes) to `actual` bytes instead of the `expected` ones.
    case sizeMismatch(expected: Int, actual: Int)
    /// Compression failed for another reason; `reason` is zstd's error name.
    case compressionFailed(reason: String)

    package var description: String {
        switch self {
        case .invalidLevel(let level): "zstd: compression level \(level) is out of range"
        case .outOfMemory: "zstd: out of memory allocating a context"
        case .outputTooSmall(let required): "zstd: output buffer too small, \(required) bytes needed"
        case .corrupted(let reason): "zstd: corrupted input: \(reason)"
        case .sizeMismatch(let expected, let actual): "zstd: expected \(expected) bytes, frame holds \(actual)"
        case .compressionFailed(let reason): "zstd: compression failed: \(reason)"
        }
    }
}
