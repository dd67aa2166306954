/// A count-min sketch of how often keys were requested, with periodic halving so old
/// popularity fades (TinyLFU, Einziger et al.).
///
/// Each key maps to one 64-bit word and to four 4-bit counters in it, one in each 16-bit
/// quarter; its estimate is the smallest of the four. After `sampleSize` increments
/// every counter is halved. Memory: 8 bytes per word, one word per expected entry, so 8
/// bytes per cached entry (the word is picked by multiplying, not masking, so any width works).
///
/// Only the stripe's writer touches it: the engine's lock-free reads record hits in the
/// slot's access bits, which policies fold in here when they examine an entry.
package struct FrequencySketch {
    private var words: [UInt64]
    private var additions = 0
    private(set) var sampleSize: Int

    /// A sketch for about `capacity` keys.
    package init(capacity: Int) {
        let width = max(capacity, 16)
        words = Array(repeating: 0, count: width)
        sampleSize = 10 * width
    }

    /// The bytes a sketch for `capacity` keys occupies.
    package static func byteCount(capacity: Int) -> Int { max(capacity, 16) * 8 }

    /// The bytes the counters occupy.
    package var byteCount: Int { words.count * 8 }

    /// Grows the sketch for more keys (forgetting the counts), if `capacity` needs more words.
    package mutating func ensureCapacity(_ capacity: Int) {
        guard capacity > words.count else { return }
        self = FrequencySketch(capacity: capacity)
    }

    /// The word of `hash`, from its low 32 bits (mostly bits 12...31), which the counters'
    /// positions (bits 40...47) do not depend on.
    @inline(__always)
    private func word(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: ((hash & 0xFFFF_FFFF) &* UInt64(words.count)) >> 32)
    }

    /// The bit offset of counter `index` (0...3) of `hash`: one per 16-bit quarter.
    @inline(__always)
    private static func shift(_ hash: UInt64, _ index: Int) -> UInt64 {
        UInt64(index * 16) + ((hash >> UInt64(40 + index * 4)) & 3) * 4
    }

    /// The estimated number of requests for `hash` since counts were last halved (0...15).
    package func frequency(_ hash: UInt64) -> Int {
        let value = words[word(hash)]
        var smallest = 15
        for index in 0..<4 {
            smallest = min(smallest, Int((value >> FrequencySketch.shift(hash, index)) & 15))
        }
        return smallest
    }

    /// Counts `count` more requests for `hash`.
    package mutating func increment(_ hash: UInt64, by count: Int = 1) {
        guard count > 0 else { return }
        let position = word(hash)
        var value = words[position]
        for index in 0..<4 {
            let shift = FrequencySketch.shift(hash, index)
            let counter = (value >> shift) & 15
            let raised = min(counter + UInt64(count), 15)
            value = (value & ~(15 << shift)) | raised << shift
        }
        words[position] = value
        additions += count
        if additions >= sampleSize { halve() }
    }

    /// Halves every counter, so that the sketch follows changes in popularity.
    private mutating func halve() {
        for index in words.indices {
            words[index] = (words[index] >> 1) & 0x7777_7777_7777_7777
        }
        additions /= 2
    }
}
