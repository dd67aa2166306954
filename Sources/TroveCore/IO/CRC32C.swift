import CTroveChecksum

/// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected), the checksum on every cold-tier record.
///
/// Uses the SSE4.2 `crc32` instruction when the CPU has it (the small `CTroveChecksum` C target; Swift
/// cannot inline the intrinsic without compiling the whole module for SSE4.2), else software
/// slicing-by-8: eight table lookups per 8 input bytes from 8 KiB of tables, about 1.6 GB/s per core on
/// this project's VMs against about 17 GB/s for the instruction run on three lanes at once (8.7 GB/s on
/// one), measured on 4 KiB records.
package enum CRC32C {
    /// Whether the hardware instruction is used; checked once.
    package static let usesHardware = ctrove_crc32c_hardware_available() != 0

    /// The CRC32C of `bytes`, continuing from the CRC32C of earlier bytes.
    ///
    /// `checksum(b, continuing: checksum(a))` equals the checksum of `a` followed by `b`; `continuing: 0` starts
    /// fresh. The standard check value holds: the checksum of the ASCII bytes `123456789` is `0xE3069283`.
    ///
    /// - Parameters:
    ///   - bytes: The data.
    ///   - previous: The checksum of the bytes before `bytes`, or `0`.
    /// - Returns: The checksum.
    /// - Complexity: O(`bytes.count`); no allocation.
    package static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        guard let start = bytes.baseAddress else { return previous }
        if usesHardware {
            return ~ctrove_crc32c_hardware_update(~previous, start, bytes.count)
        }
        return softwareChecksum(bytes, continuing: previous)
    }

    /// The slicing-by-8 software checksum, used when the CPU lacks the instruction (and by tests to cross-check).
    package static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        guard let start = bytes.baseAddress else { return previous }
        return ~crc32cTables.withUnsafeBufferPointer { tables in
            update(~previous, start, bytes.count, tables)
        }
    }

    /// Folds `count` bytes at `start` into the running (pre-inverted) `crc`.
    private static func update(
        _ crc: UInt32,
        _ start: UnsafeRawPointer,
        _ count: Int,
        _ tables: UnsafeBufferPointer<UInt32>
    ) -> UInt32 {
        assert(tables.count == 8 * 256)
        var crc = crc
        var cursor = start
        var remaining = count
        while remaining >= 8 {
            // Safe because `remaining` counts the bytes left at `cursor`, here at least the 8 loaded.
            let word = UInt64(littleEndian: cursor.loadUnaligned(as: UInt64.self)) ^ UInt64(crc)
            // Safe because each index is one masked byte (0...255) plus a table offset below 8 * 256.
            crc =
                tables[7 &* 256 &+ Int(truncatingIfNeeded: word & 0xFF)]
                ^ tables[6 &* 256 &+ Int(truncatingIfNeeded: (word &>> 8) & 0xFF)]
                ^ tables[5 &* 256 &+ Int(truncatingIfNeeded: (word &>> 16) & 0xFF)]
                ^ tables[4 &* 256 &+ Int(truncatingIfNeeded: (word &>> 24) & 0xFF)]
                ^ tables[3 &* 256 &+ Int(truncatingIfNeeded: (word &>> 32) & 0xFF)]
                ^ tables[2 &* 256 &+ Int(truncatingIfNeeded: (word &>> 40) & 0xFF)]
                ^ tables[1 &* 256 &+ Int(truncatingIfNeeded: (word &>> 48) & 0xFF)]
                ^ tables[Int(truncatingIfNeeded: word &>> 56)]
            cursor += 8
            remaining &-= 8
        }
        while remaining > 0 {
            // Safe because `remaining` counts the bytes left at `cursor`.
            let byte = cursor.load(as: UInt8.self)
            crc = tables[Int(truncatingIfNeeded: (crc ^ UInt32(byte)) & 0xFF)] ^ (crc &>> 8)
            cursor += 1
            remaining &-= 1
        }
        return crc
    }
}

/// Eight 256-entry tables: entry `i` of table `k` is the CRC register after byte `i` is followed by `k` zero bytes,
/// so one lookup per table advances the CRC over 8 bytes at once.
private let crc32cTables: [UInt32] = {
    /// The reflected Castagnoli polynomial.
    let polynomial: UInt32 = 0x82F6_3B78
    var tables = [UInt32](repeating: 0, count: 8 * 256)
    for byte in 0..<256 {
        var crc = UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1
        }
        tables[byte] = crc
    }
    for table in 1..<8 {
        for byte in 0..<256 {
            let previous = tables[(table - 1) * 256 + byte]
            tables[table * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
        }
    }
    return tables
}()
