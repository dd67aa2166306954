/// The bytes of one entry in an arena segment: header, key, value.
///
/// ```
/// flags (1 byte: bit 0 = has expiry, bit 1 = dead, bit 2 = persisted; other bits zero)
/// keyLength - 1   LEB128 varint, 1-2 bytes (keys are 1...1024 bytes)
/// valueLength     LEB128 varint, 1-3 bytes (values are < 2 MiB)
/// expiry          8 bytes little-endian wall-clock milliseconds, only if flagged
/// key, value
/// ```
/// A 16-byte key with a 100-byte value costs 3 header bytes: a variable header keeps the
/// per-entry overhead small, and entries are packed without alignment padding because
/// every read of them is an unaligned load or a `memcpy` anyway.
package enum EntryLayout {
    /// The largest header: flags, 2 + 3 varint bytes, expiry.
    package static let maximumHeaderLength = 14
    /// The largest key in bytes.
    package static let maximumKeyLength = 1024
    /// Values must stay below this (the varint and 40-bit arena offsets allow it).
    package static let valueLengthLimit = 1 << 21

    @usableFromInline static let expiryFlag: UInt8 = 1
    @usableFromInline static let deadFlag: UInt8 = 2
    /// The entry was promoted from the cold tier and not changed since, so its record there is still current.
    @usableFromInline static let persistedFlag: UInt8 = 4

    /// The decoded header of an entry.
    package struct Header: Equatable {
        package var keyLength: Int
        package var valueLength: Int
        /// Absolute expiry in wall-clock milliseconds, 0 for none.
        package var expiry: UInt64
        /// Bytes before the key.
        package var headerLength: Int
        /// Promoted from the cold tier and unchanged since.
        package var isPersisted = false

        /// Header, key and value together.
        @inlinable
        package var totalLength: Int { headerLength + keyLength + valueLength }

        /// The key of the entry this header was read from at `address`.
        ///
        /// - Warning: The bytes are arena memory: valid, and not torn, only while the caller
        ///   holds the stripe's mutex (a reader must validate the sequence after using them).
        @inlinable
        package func key(at address: UnsafeRawPointer) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: address + headerLength, count: keyLength)
        }

        /// The value of the entry this header was read from at `address`.
        ///
        /// - Warning: As for `key(at:)`.
        @inlinable
        package func value(at address: UnsafeRawPointer) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: address + headerLength + keyLength, count: valueLength)
        }
    }

    /// The bytes an entry occupies.
    @inlinable
    package static func totalLength(keyLength: Int, valueLength: Int, hasExpiry: Bool) -> Int {
        headerLength(keyLength: keyLength, valueLength: valueLength, hasExpiry: hasExpiry) + keyLength + valueLength
    }

    @inlinable
    package static func headerLength(keyLength: Int, valueLength: Int, hasExpiry: Bool) -> Int {
        1 + varintLength(keyLength - 1) + varintLength(valueLength) + (hasExpiry ? 8 : 0)
    }

    @inlinable @inline(__always)
    static func varintLength(_ value: Int) -> Int {
        value < 0x80 ? 1 : (value < 0x4000 ? 2 : 3)
    }

    /// Writes a whole entry at `destination`, which must have room for its total length.
    ///
    /// - Returns: The bytes written.
    package static func write(
        to destination: UnsafeMutableRawPointer,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        expiry: UInt64,
        persisted: Bool = false
    ) -> Int {
        let headerLength = writeHeader(
            to: destination,
            keyLength: key.count,
            valueLength: value.count,
            expiry: expiry,
            persisted: persisted
        )
        if let keyBase = key.baseAddress {
            SharedBytes.copy(from: keyBase, to: destination + headerLength, count: key.count)
        }
        if let valueBase = value.baseAddress {
            SharedBytes.copy(from: valueBase, to: destination + headerLength + key.count, count: value.count)
        }
        return headerLength + key.count + value.count
    }

    /// Writes just the header.
    ///
    /// - Returns: The header's length.
    @discardableResult
    package static func writeHeader(
        to destination: UnsafeMutableRawPointer,
        keyLength: Int,
        valueLength: Int,
        expiry: UInt64,
        persisted: Bool = false
    ) -> Int {
        assert(keyLength >= 1 && keyLength <= maximumKeyLength && valueLength < valueLengthLimit)
        var offset = 0
        let flags = (expiry == 0 ? 0 : expiryFlag) | (persisted ? persistedFlag : 0)
        SharedBytes.storeByte(flags, to: destination, offset: 0)
        offset += 1
        offset += writeVarint(keyLength - 1, to: destination, offset: offset)
        offset += writeVarint(valueLength, to: destination, offset: offset)
        if expiry != 0 {
            SharedBytes.storeWord(expiry, to: destination, offset: offset)
            offset += 8
        }
        return offset
    }

    private static func writeVarint(_ value: Int, to destination: UnsafeMutableRawPointer, offset: Int) -> Int {
        var remaining = value
        var written = 0
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            SharedBytes.storeByte(byte, to: destination, offset: offset + written)
            written += 1
        } while remaining != 0
        return written
    }

    /// Marks the entry at `address` as no longer indexed, so eviction can skip it without a lookup.
    ///
    /// A reader racing with the change decodes the entry as malformed and treats it as a
    /// miss, which its sequence check then discards: the slot that led it here was
    /// removed under the same sequence bump.
    package static func markDead(at address: UnsafeMutableRawPointer) {
        SharedBytes.storeByte(SharedBytes.loadByte(address, offset: 0) | deadFlag, to: address, offset: 0)
    }

    /// Marks the entry at `address` as stored in the cold tier as it is. Writers only.
    ///
    /// Readers may see the flag byte before or after the change; both decode to the same entry.
    package static func markPersisted(at address: UnsafeMutableRawPointer) {
        SharedBytes.storeByte(SharedBytes.loadByte(address, offset: 0) | persistedFlag, to: address, offset: 0)
    }

    /// Whether the entry at `address` was marked dead. Writers only.
    package static func isDead(at address: UnsafeRawPointer) -> Bool {
        SharedBytes.loadByte(address, offset: 0) & deadFlag != 0
    }

    /// Decodes the header at `source`, refusing anything that would extend past `limit` bytes.
    ///
    /// Lock-free readers may decode bytes a writer is replacing, so every length is
    /// checked before use and garbage decodes to `nil` or to a header that stays
    /// inside `limit`; it never leads a reader outside its segment.
    ///
    /// - Parameter includingDead: Decode entries marked dead too (eviction walks need their length).
    /// - Returns: The header, or `nil` if the bytes are not a well-formed entry within `limit`.
    @inlinable @inline(__always)
    package static func readHeader(at source: UnsafeRawPointer, limit: Int, includingDead: Bool = false) -> Header? {
        guard limit >= 3 else { return nil }
        let flags = SharedBytes.loadByte(source, offset: 0)
        let allowed = includingDead ? expiryFlag | persistedFlag | deadFlag : expiryFlag | persistedFlag
        guard flags & ~allowed == 0 else { return nil }
        var offset = 1
        let keyByte = SharedBytes.loadByte(source, offset: offset)
        var keyLength = Int(keyByte & 0x7F)
        offset += 1
        if keyByte & 0x80 != 0 {
            let next = SharedBytes.loadByte(source, offset: offset)
            guard next < 0x80 else { return nil }
            keyLength |= Int(next) << 7
            offset += 1
        }
        keyLength += 1
        var valueLength = 0
        var shift = 0
        while true {
            guard offset < limit, shift < 21 else { return nil }
            let byte = SharedBytes.loadByte(source, offset: offset)
            offset += 1
            valueLength |= Int(byte & 0x7F) << shift
            shift += 7
            if byte & 0x80 == 0 { break }
        }
        var expiry: UInt64 = 0
        if flags & expiryFlag != 0 {
            guard offset + 8 <= limit else { return nil }
            expiry = SharedBytes.loadWord(source, offset: offset)
            offset += 8
        }
        guard keyLength <= maximumKeyLength, offset + keyLength + valueLength <= limit else { return nil }
        return Header(
            keyLength: keyLength,
            valueLength: valueLength,
            expiry: expiry,
            headerLength: offset,
            isPersisted: flags & persistedFlag != 0
        )
    }
}
