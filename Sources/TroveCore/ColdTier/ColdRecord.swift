/// One record in a region: a 32-byte header, the key, the stored value, padding to the unit.
///
/// ```
///  0  u32  region sequence (low 32 bits): a record left over from a region's earlier life never validates
///  4  u8   kind: 0 entry, 1 tombstone (key deleted), 2 prefix invalidation, 3 pattern invalidation
///  5  u8   flags: bit 0 = value compressed with zstd
///  6  u16  key length (the prefix or pattern length for kinds 2 and 3)
///  8  u32  stored value length (compressed length if compressed)
/// 12  u32  value length
/// 16  u64  expiry, wall-clock milliseconds, 0 for none
/// 24  u32  CRC32C of key and stored value
/// 28  u32  CRC32C of bytes 0..<28 (seeded, so zeroed space never validates)
/// ```
/// The header has its own checksum so that a scan can trust a header's lengths even
/// when the payload behind it is damaged, and skip just that record.
package struct ColdRecord: Equatable {
    package enum Kind: UInt8 {
        case entry = 0
        case tombstone = 1
        case prefixInvalidation = 2
        case patternInvalidation = 3
    }

    package static let headerLength = 32
    static let headerSeed: UInt32 = 0x5452_5652
    static let compressedFlag: UInt8 = 1

    package var sequence: UInt32
    package var kind: Kind
    package var isCompressed: Bool
    package var keyLength: Int
    package var storedLength: Int
    package var valueLength: Int
    package var expiry: UInt64
    package var payloadChecksum: UInt32

    package init(
        sequence: UInt32,
        kind: Kind,
        isCompressed: Bool = false,
        keyLength: Int,
        storedLength: Int = 0,
        valueLength: Int = 0,
        expiry: UInt64 = 0,
        payloadChecksum: UInt32 = 0
    ) {
        self.sequence = sequence
        self.kind = kind
        self.isCompressed = isCompressed
        self.keyLength = keyLength
        self.storedLength = storedLength
        self.valueLength = valueLength
        self.expiry = expiry
        self.payloadChecksum = payloadChecksum
    }

    /// Header, key and stored value, before padding.
    package var length: Int { ColdRecord.headerLength + keyLength + storedLength }

    /// The length rounded up to `unit`: the bytes the record occupies in its region.
    package func paddedLength(unit: Int) -> Int {
        (length + unit - 1) / unit * unit
    }

    /// Writes the header at `destination` (32 bytes).
    package func writeHeader(to destination: UnsafeMutableRawPointer) {
        // Safe because the caller provides the 32 bytes, and `storeBytes` needs no alignment.
        destination.storeBytes(of: sequence.littleEndian, toByteOffset: 0, as: UInt32.self)
        destination.storeBytes(of: kind.rawValue, toByteOffset: 4, as: UInt8.self)
        destination.storeBytes(of: isCompressed ? ColdRecord.compressedFlag : 0, toByteOffset: 5, as: UInt8.self)
        destination.storeBytes(of: UInt16(keyLength).littleEndian, toByteOffset: 6, as: UInt16.self)
        destination.storeBytes(of: UInt32(storedLength).littleEndian, toByteOffset: 8, as: UInt32.self)
        destination.storeBytes(of: UInt32(valueLength).littleEndian, toByteOffset: 12, as: UInt32.self)
        destination.storeBytes(of: expiry.littleEndian, toByteOffset: 16, as: UInt64.self)
        destination.storeBytes(of: payloadChecksum.littleEndian, toByteOffset: 24, as: UInt32.self)
        let headerChecksum = CRC32C.checksum(
            UnsafeRawBufferPointer(start: destination, count: 28),
            continuing: ColdRecord.headerSeed
        )
        destination.storeBytes(of: headerChecksum.littleEndian, toByteOffset: 28, as: UInt32.self)
    }

    /// Decodes and checks a header, or returns `nil` for bytes that are not one.
    ///
    /// - Parameters:
    ///   - source: At least 32 readable bytes.
    ///   - available: Bytes from `source` to the end of the region; a record claiming more is refused.
    package static func readHeader(at source: UnsafeRawPointer, available: Int) -> ColdRecord? {
        guard available >= headerLength else { return nil }
        // Safe because the caller vouches for `available` readable bytes, at least the 32 read here;
        // `loadUnaligned` needs no alignment and one-byte loads none either.
        let stored = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
        guard CRC32C.checksum(UnsafeRawBufferPointer(start: source, count: 28), continuing: headerSeed) == stored,
            let kind = Kind(rawValue: source.load(fromByteOffset: 4, as: UInt8.self))
        else { return nil }
        let flags = source.load(fromByteOffset: 5, as: UInt8.self)
        let record = ColdRecord(
            sequence: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 0, as: UInt32.self)),
            kind: kind,
            isCompressed: flags & compressedFlag != 0,
            keyLength: Int(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 6, as: UInt16.self))),
            storedLength: Int(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 8, as: UInt32.self))),
            valueLength: Int(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 12, as: UInt32.self))),
            expiry: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            payloadChecksum: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        )
        guard flags & ~compressedFlag == 0, record.length <= available,
            record.isCompressed || record.storedLength == record.valueLength
        else { return nil }
        return record
    }

    /// Whether the key and stored value at `payload` match the header's checksum.
    package func payloadIsIntact(_ payload: UnsafeRawPointer) -> Bool {
        // Safe because a header from `readHeader` fits its record in the bytes available, and the payload follows it.
        CRC32C.checksum(UnsafeRawBufferPointer(start: payload, count: keyLength + storedLength)) == payloadChecksum
    }
}

/// The first bytes of a region: which use of the region this is, and under which epoch.
///
/// ```
///  0  u64  magic "TROVERGN"
///  8  u64  sequence: the region's place in write order (starts at 1, never reused)
/// 16  u64  epoch: the directory's epoch when written; regions of an older epoch were cleared
/// 24  u32  region size
/// 28  u32  CRC32C of bytes 0..<28
/// ```
/// Records start at `RegionHeader.length` (64).
package struct RegionHeader: Equatable {
    package static let length = 64
    static let magic: UInt64 = 0x4E47_5245_564F_5254

    package var sequence: UInt64
    package var epoch: UInt64
    package var regionSize: Int

    package init(sequence: UInt64, epoch: UInt64, regionSize: Int) {
        self.sequence = sequence
        self.epoch = epoch
        self.regionSize = regionSize
    }

    /// Writes the header and zeroes the rest of its 64 bytes.
    package func write(to destination: UnsafeMutableRawPointer) {
        // Safe because the caller provides the 64 bytes (the start of a region-sized buffer).
        destination.initializeMemory(as: UInt8.self, repeating: 0, count: RegionHeader.length)
        destination.storeBytes(of: RegionHeader.magic.littleEndian, toByteOffset: 0, as: UInt64.self)
        destination.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        destination.storeBytes(of: epoch.littleEndian, toByteOffset: 16, as: UInt64.self)
        destination.storeBytes(of: UInt32(regionSize).littleEndian, toByteOffset: 24, as: UInt32.self)
        let checksum = CRC32C.checksum(UnsafeRawBufferPointer(start: destination, count: 28))
        destination.storeBytes(of: checksum.littleEndian, toByteOffset: 28, as: UInt32.self)
    }

    /// Decodes and checks a region header, or returns `nil`.
    package static func read(at source: UnsafeRawPointer) -> RegionHeader? {
        // Safe because the caller provides at least the 64 header bytes; `loadUnaligned` needs no alignment.
        let stored = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
        guard UInt64(littleEndian: source.loadUnaligned(as: UInt64.self)) == magic,
            CRC32C.checksum(UnsafeRawBufferPointer(start: source, count: 28)) == stored
        else { return nil }
        return RegionHeader(
            sequence: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            epoch: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            regionSize: Int(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 24, as: UInt32.self)))
        )
    }
}
