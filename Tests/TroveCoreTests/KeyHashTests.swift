import Testing
import TroveCore
import TroveTestSupport

@Suite struct KeyHashTests {
    @Test func equalKeysHashEqualAndEveryByteMatters() {
        for length in 1...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let hash = bytes.withUnsafeBytes { KeyHash.hash($0) }
            #expect(hash == bytes.withUnsafeBytes { KeyHash.hash($0) })
            for position in 0..<length {
                var flipped = bytes
                flipped[position] ^= 1
                #expect(flipped.withUnsafeBytes { KeyHash.hash($0) } != hash, "length \(length) byte \(position)")
            }
            let longer = bytes + [0]
            #expect(longer.withUnsafeBytes { KeyHash.hash($0) } != hash, "a trailing zero must change the hash")
        }
    }

    /// The engine takes stripe, slot and tag from different bit ranges, so each must be uniform on its own.
    @Test(arguments: [(0, 4), (16, 8), (48, 8), (56, 8)])
    func bitRangesAreUniform(shift: Int, bits: Int) {
        let buckets = 1 << bits
        var counts = [Int](repeating: 0, count: buckets)
        let samples = buckets * 200
        for id in 0..<samples {
            let hash = key(UInt64(id)).withUnsafeBytes { KeyHash.hash($0) }
            counts[Int((hash >> UInt64(shift)) & UInt64(buckets - 1))] += 1
        }
        // With 200 expected per bucket, a uniform hash stays within +-40% with overwhelming probability.
        #expect(counts.min()! > 120)
        #expect(counts.max()! < 280)
    }
}
