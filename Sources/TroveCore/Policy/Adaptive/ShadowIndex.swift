/// The hash-to-node table of a `ShadowCache`: open addressing with linear probing over
/// node numbers, the keys themselves living in the cache's node array.
///
/// Deletion shifts later members of a probe run back, so there are no tombstones and a
/// lookup never walks more than one run. The table doubles when half full. Memory: 4 to
/// 8 bytes per simulated entry.
struct ShadowIndex {
    private static let empty: Int32 = -1
    private var slots = [Int32](repeating: ShadowIndex.empty, count: 16)
    private var members = 0

    var byteCount: Int { slots.count * 4 }

    @inline(__always)
    private func home(_ hash: UInt64) -> Int {
        // Sampled keys share their high bits, so mix before taking the low ones.
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 32) & (slots.count - 1)
    }

    /// The node holding `hash`, if any.
    func find(_ hash: UInt64, in hashes: [UInt64]) -> Int? {
        var position = home(hash)
        while true {
            let node = slots[position]
            if node == ShadowIndex.empty { return nil }
            if hashes[Int(node)] == hash { return Int(node) }
            position = (position + 1) & (slots.count - 1)
        }
    }

    /// Records that `node` holds `hash` (which must not be present).
    mutating func insert(_ hash: UInt64, node: Int32, in hashes: [UInt64]) {
        if (members + 1) * 2 > slots.count { grow(hashes) }
        var position = home(hash)
        while slots[position] != ShadowIndex.empty {
            position = (position + 1) & (slots.count - 1)
        }
        slots[position] = node
        members += 1
    }

    /// Forgets `hash`, which must be present.
    mutating func remove(_ hash: UInt64, in hashes: [UInt64]) {
        let mask = slots.count - 1
        var hole = home(hash)
        while hashes[Int(slots[hole])] != hash {
            hole = (hole + 1) & mask
        }
        var position = hole
        while true {
            position = (position + 1) & mask
            let node = slots[position]
            if node == ShadowIndex.empty { break }
            let wanted = home(hashes[Int(node)])
            // The member may fill the hole unless its home lies cyclically in (hole, position].
            let stays = hole <= position ? (hole < wanted && wanted <= position) : (hole < wanted || wanted <= position)
            if !stays {
                slots[hole] = node
                hole = position
            }
        }
        slots[hole] = ShadowIndex.empty
        members -= 1
    }

    private mutating func grow(_ hashes: [UInt64]) {
        let old = slots
        slots = [Int32](repeating: ShadowIndex.empty, count: old.count * 2)
        members = 0
        for node in old where node != ShadowIndex.empty {
            insert(hashes[Int(node)], node: node, in: hashes)
        }
    }
}
