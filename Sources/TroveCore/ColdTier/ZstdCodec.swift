import CZstd

/// Compresses and decompresses single values with zstd into caller buffers, reusing one compression and one
/// decompression context for every call.
///
/// Single-owner and not thread-safe: the contexts hold per-call state, so a codec belongs to one thread (or to
/// one lock's holder) at a time. It is `~Copyable` because it owns the two contexts and frees them exactly once.
///
/// Frames are standard zstd frames with the content size recorded and no zstd checksum (records carry their own
/// CRC32C). Corrupted input yields ``ZstdError`` rather than a crash (zstd validates every frame); corruption
/// that still decodes to the expected size is for the record's checksum to catch.
package struct ZstdCodec: ~Copyable {
    /// The level used when none is given: zstd's default, a good speed-ratio balance for small values.
    package static let defaultLevel = 3

    /// The compression level of this codec.
    package let level: Int

    private let compressionContext: OpaquePointer
    private let decompressionContext: OpaquePointer

    /// Creates a codec compressing at `level`.
    ///
    /// - Parameter level: A zstd level, from `ZSTD_minCLevel()` (fastest, negative) to `ZSTD_maxCLevel()` (22).
    /// - Throws: ``ZstdError/invalidLevel(_:)`` or ``ZstdError/outOfMemory``.
    /// - Complexity: Two small allocations; the contexts' working memory is allocated on first use (about
    ///   1-2 MiB at level 3) and reused after.
    package init(level: Int = defaultLevel) throws(ZstdError) {
        guard level >= Int(ZSTD_minCLevel()), level <= Int(ZSTD_maxCLevel()) else {
            throw .invalidLevel(level)
        }
        guard let compression = ZSTD_createCCtx() else { throw .outOfMemory }
        guard let decompression = ZSTD_createDCtx() else {
            ZSTD_freeCCtx(compression)
            throw .outOfMemory
        }
        let result = ZSTD_CCtx_setParameter(compression, ZSTD_c_compressionLevel, Int32(level))
        guard ZSTD_isError(result) == 0 else {
            ZSTD_freeCCtx(compression)
            ZSTD_freeDCtx(decompression)
            throw .invalidLevel(level)
        }
        self.level = level
        compressionContext = compression
        decompressionContext = decompression
    }

    deinit {
        ZSTD_freeCCtx(compressionContext)
        ZSTD_freeDCtx(decompressionContext)
    }

    /// The largest compressed size of `count` input bytes: a destination this large never fails for lack of room.
    ///
    /// - Parameter count: The input size in bytes.
    /// - Returns: The bound in bytes (a little over `count`).
    package static func compressBound(_ count: Int) -> Int {
        ZSTD_compressBound(count)
    }

    /// Compresses `source` into one zstd frame at the start of `destination`.
    ///
    /// - Parameters:
    ///   - source: The value.
    ///   - destination: Where the frame goes; ``compressBound(_:)`` bytes always suffice.
    /// - Returns: The frame's size in bytes.
    /// - Throws: ``ZstdError/outputTooSmall(required:)`` (with the bound) when the frame does not fit, or
    ///   ``ZstdError/compressionFailed(reason:)``.
    /// - Complexity: O(`source.count`); no allocation after the first call.
    package mutating func compress(
        _ source: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer
    ) throws(ZstdError) -> Int {
        let result = ZSTD_compress2(
            compressionContext,
            destination.baseAddress,
            destination.count,
            source.baseAddress,
            source.count
        )
        if ZSTD_isError(result) == 0 {
            return result
        }
        let bound = Self.compressBound(source.count)
        if destination.count < bound {
            throw .outputTooSmall(required: bound)
        }
        throw .compressionFailed(reason: String(cString: ZSTD_getErrorName(result)))
    }

    /// Compresses `source` into `destination` only if that saves space.
    ///
    /// The frame is limited to `source.count - 1` bytes (or `destination.count`, when smaller); zstd stops with
    /// "destination too small" when it would not fit, which is how "no saving" is detected without a bound-sized
    /// scratch buffer. Incompressible input still costs a full compression pass.
    ///
    /// - Parameters:
    ///   - source: The value.
    ///   - destination: Where the frame goes.
    /// - Returns: The frame's size (less than `source.count`), or `nil` when compression does not make the value
    ///   smaller (or the smaller frame does not fit `destination`); then store `source` as it is.
    /// - Complexity: O(`source.count`); no allocation after the first call.
    package mutating func compressIfSmaller(
        _ source: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer
    ) -> Int? {
        let capacity = min(destination.count, source.count - 1)
        guard capacity > 0 else { return nil }
        let result = ZSTD_compress2(
            compressionContext,
            destination.baseAddress,
            capacity,
            source.baseAddress,
            source.count
        )
        // Below the bound, an error means the frame did not fit; a rarer failure (allocation) also leaves the
        // value stored uncompressed, which is correct, only larger.
        return ZSTD_isError(result) == 0 ? result : nil
    }

    /// Decompresses the frame in `source` into the first `expectedSize` bytes of `destination`.
    ///
    /// - Parameters:
    ///   - source: One zstd frame, as ``compress(_:into:)`` produced it.
    ///   - destination: At least `expectedSize` bytes.
    ///   - expectedSize: The value's size, recorded beside the frame by the caller.
    /// - Throws: ``ZstdError/outputTooSmall(required:)`` when `destination` is smaller than `expectedSize`;
    ///   ``ZstdError/sizeMismatch(expected:actual:)`` when the frame holds another size;
    ///   ``ZstdError/corrupted(reason:)`` when it is not a valid frame. Never traps on bad input.
    /// - Complexity: O(`expectedSize` + `source.count`); no allocation after the first call.
    package mutating func decompress(
        _ source: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer,
        expectedSize: Int
    ) throws(ZstdError) {
        guard expectedSize >= 0, destination.count >= expectedSize else {
            throw .outputTooSmall(required: expectedSize)
        }
        let declared = ZSTD_getFrameContentSize(source.baseAddress, source.count)
        if declared == ZSTD_CONTENTSIZE_ERROR {
            throw .corrupted(reason: "not a zstd frame")
        }
        if declared != ZSTD_CONTENTSIZE_UNKNOWN, declared != UInt64(expectedSize) {
            throw .sizeMismatch(expected: expectedSize, actual: Int(clamping: declared))
        }
        let result = ZSTD_decompressDCtx(
            decompressionContext,
            destination.baseAddress,
            expectedSize,
            source.baseAddress,
            source.count
        )
        if ZSTD_isError(result) != 0 {
            throw .corrupted(reason: String(cString: ZSTD_getErrorName(result)))
        }
        if result != expectedSize {
            throw .sizeMismatch(expected: expectedSize, actual: result)
        }
    }
}
