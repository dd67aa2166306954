/// zstd compression contexts with their output scratch, lent to one demoting thread at a time.
///
/// Compressing happens before the append takes the tier's lock, so threads evicting from
/// different stripes compress in parallel; a context is several hundred KiB, so there is
/// a small pool rather than one per stripe.
final class CompressorPool: @unchecked Sendable {
    final class Compressor {
        var codec: ZstdCodec
        let scratch: UnsafeMutableRawBufferPointer

        init(level: Int, capacity: Int) throws(EngineError) {
            do {
                codec = try ZstdCodec(level: level)
            } catch {
                throw EngineError(.outOfMemory, "could not create a zstd context at level \(level): \(error)")
            }
            scratch = .allocate(byteCount: ZstdCodec.compressBound(capacity), alignment: 16)
        }

        deinit {
            scratch.deallocate()
        }
    }

    /// Values up to this length can be compressed (larger ones are stored as they are).
    static let largestCompressedValue = 1 << 20
    private let compressors: [Compressor]
    /// The compressors not lent out, by index.
    private let available: ConditionLockedValue<[Int]>

    init(count: Int, level: Int) throws(EngineError) {
        var compressors: [Compressor] = []
        for _ in 0..<count {
            compressors.append(try Compressor(level: level, capacity: CompressorPool.largestCompressedValue))
        }
        self.compressors = compressors
        available = ConditionLockedValue(Array(compressors.indices))
    }

    /// Runs `body` with a compressor of its own, or with `nil` when all are lent out (store uncompressed then).
    func withCompressor<Result>(_ body: (Compressor?) -> Result) -> Result {
        guard let index = available.withLock({ $0.popLast() }) else { return body(nil) }
        defer { available.withLock { $0.append(index) } }
        return body(compressors[index])
    }
}
