/// The values of the cold-tier workload: half a repeating pattern, half random bytes, so
/// zstd saves about half, as the "50% compressible" values ask.
///
/// The random half is a window into a 1 MiB pool filled once, so making a value costs
/// two copies and no random-number generation.
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
        let half = length / 2
        // Runs of eight equal bytes, written a word at a time: generating the value must cost
        // far less than storing it, or the load phase measures this loop.
        let base = destination.baseAddress!
        var position = 0
        while position < half {
            let byte = UInt64((index &+ UInt64(position / 8)) % 64 &+ 32)
            let run = min(8, half - position)
            withUnsafeBytes(of: (byte &* 0x0101_0101_0101_0101).littleEndian) {
                (base + position).copyMemory(from: $0.baseAddress!, byteCount: run)
            }
            position += run
        }
        let window = pool.count - (length - half)
        let start = Int((index &* 2_654_435_761) % UInt64(max(window, 1)))
        pool.withUnsafeBytes { pool in
            destination.baseAddress!.advanced(by: half).copyMemory(
                from: pool.baseAddress!.advanced(by: start),
                byteCount: length - half
            )
        }
    }
}
