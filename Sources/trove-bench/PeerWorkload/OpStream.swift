/// One worker thread's precomputed operations: `OpStream.length` entries of `key index | write flag`, cycled for as
/// long as a phase lasts.
///
/// The entries depend only on the zipfian distribution, the seed, the thread index, the read ratio and the scramble
/// switch, so every peer replays the same operations; `fingerprint` proves it. The storage (4 MiB) is allocated once
/// by `init()` and refilled in place by `fill(...)`, so the workload's memory is in place before the load phase
/// measures resident memory.
struct OpStream: Sendable {
    /// Entries per stream: 2^20, a power of two so that the cursor wraps with a mask.
    static let length = 1 << 20
    /// Set in an entry whose operation is a write.
    static let writeFlag: UInt32 = 0x8000_0000
    /// Selects the key index of an entry.
    static let indexMask: UInt32 = 0x7FFF_FFFF
    /// The scramble multiplier: a prime, so `rank * multiplier mod N` is a bijection for every `N` below it.
    static let scrambleMultiplier: UInt64 = 2_654_435_761

    /// The entries, `OpStream.length` of them.
    private(set) var entries: [UInt32]

    /// Allocates a zeroed stream.
    ///
    /// - Complexity: O(`OpStream.length`); allocates and touches 4 MiB.
    init() {
        self.entries = [UInt32](repeating: 0, count: OpStream.length)
    }

    /// Refills the stream for one thread of one (threads, read ratio) configuration.
    ///
    /// Each entry consumes exactly two draws of the thread's generator, which starts at `seed + thread`: a uniform
    /// double for the zipfian rank, then a 64-bit value whose remainder modulo 100 decides whether the operation
    /// writes (`>= readRatio`). The key sequence therefore does not depend on the read ratio.
    ///
    /// - Parameters:
    ///   - zipf: the key distribution; its item count is the number of keys, below 2^31.
    ///   - seed: the workload seed (42 by default).
    ///   - thread: the 0-based thread index.
    ///   - readRatio: the percentage of reads, in 0...100.
    ///   - scramble: whether rank `r` maps to key `r * scrambleMultiplier mod N` (on by default) or to key `r`.
    /// - Complexity: O(`OpStream.length`) calls to `pow`; does not allocate while the storage is uniquely referenced.
    mutating func fill(zipf: ZipfianGenerator, seed: UInt64, thread: Int, readRatio: Int, scramble: Bool) {
        precondition(zipf.itemCount <= UInt64(OpStream.indexMask) + 1, "key indices must fit in 31 bits")
        var generator = SplitMix64(state: seed &+ UInt64(thread))
        let itemCount = zipf.itemCount
        let readThreshold = UInt64(max(readRatio, 0))
        entries.withUnsafeMutableBufferPointer { out in
            for j in out.indices {
                let rank = zipf.rank(generator.nextDouble())
                // Multiplying before the remainder cannot overflow: rank < 2^31 and the multiplier < 2^32.
                let index = scramble ? (rank &* OpStream.scrambleMultiplier) % itemCount : rank
                let isWrite = generator.next() % 100 >= readThreshold
                out[j] = UInt32(truncatingIfNeeded: index) | (isWrite ? OpStream.writeFlag : 0)
            }
        }
    }

    /// The FNV-1a 64 hash of the entries as little-endian 32-bit words: the stream fingerprint every peer prints.
    ///
    /// - Complexity: O(`OpStream.length`), no allocation.
    var fingerprint: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for entry in entries {
            for byte in 0..<4 {
                hash ^= UInt64((entry >> (8 * UInt32(byte))) & 0xFF)
                hash &*= 0x0000_0100_0000_01B3
            }
        }
        return hash
    }
}
