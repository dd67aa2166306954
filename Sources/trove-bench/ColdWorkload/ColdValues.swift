/// The values of the cold-tier workload, "50% compressible" as db_bench's
/// `--compression_ratio=0.5` makes them: a random first half that the second half repeats,
/// so zstd stores about half.
///
/// The random half is a window into a 1 MiB pool filled once, chosen by the key, so making a
/// value costs two copies and no random-number generation. (Short runs of equal bytes, which
/// this replaced, also compress to half but turn into thousands of offset-1 matches that make
/// zstd three times slower to compress and twenty times slower to decompress.)
struct ColdValues: Sendable {
    let length: Int
    private let pool: [UInt8]

    init(length: Int) {
        self.length = length
        var generator = SplitMix64(state: 0x5EED)
        var pool = [UInt8](repeating: 0, count: 1 << 20)
        for index in stride(from: 0, to: pool.count, by: 8) {
            withUnsafeBytes(of: generator.next()) { pool.replaceSubrange(index..<index + 8, with: $0) }
        }
        self.pool = pool
    }

    /// Writes the value of key `index` into `destination` (at least `length` bytes).
    func write(_ index: UInt64, into destination: UnsafeMutableRawBufferPointer) {
        let random = length - length / 2
        let base = destination.baseAddress!
        let window = pool.count - random
        let start = Int((index &* 2_654_435_761) % UInt64(max(window, 1)))
        pool.withUnsafeBytes { pool in
            base.copyMemory(from: pool.baseAddress!.advanced(by: start), byteCount: random)
        }
        (base + random).copyMemory(from: base, byteCount: length / 2)
    }
}
