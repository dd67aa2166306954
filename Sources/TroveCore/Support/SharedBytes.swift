#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes of arena bytes that lock-free readers may touch while a writer changes them.
///
/// Readers look entries up optimistically: they copy bytes without a lock and then check
/// the stripe's sequence number, discarding anything read while a writer was active (see
/// `HotTier.read`). Every access to arena memory goes through here so those racing paths
/// are easy to find. They are plain loads, stores and copies; ThreadSanitizer cannot check
/// them (Swift instruments accesses to Swift variables, not raw-pointer loads), so the
/// torn-read stress tests in `ConcurrencyTests` are what guard this protocol.
///
/// None of these checks bounds: callers pass ranges they bounded themselves, from decoded
/// lengths checked against the end of the segment (`EntryLayout.readHeader(at:limit:)`)
/// or from buffers whose counts they hold.
package enum SharedBytes {
    /// One byte.
    @inlinable @inline(__always)
    package static func loadByte(_ pointer: UnsafeRawPointer, offset: Int) -> UInt8 {
        pointer.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// A little-endian 64-bit word at any alignment.
    @inlinable @inline(__always)
    package static func loadWord(_ pointer: UnsafeRawPointer, offset: Int) -> UInt64 {
        UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Stores a little-endian 64-bit word at any alignment.
    @inlinable @inline(__always)
    package static func storeWord(_ word: UInt64, to pointer: UnsafeMutableRawPointer, offset: Int) {
        pointer.storeBytes(of: word.littleEndian, toByteOffset: offset, as: UInt64.self)
    }

    /// One byte.
    @inlinable @inline(__always)
    package static func storeByte(_ byte: UInt8, to pointer: UnsafeMutableRawPointer, offset: Int) {
        pointer.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
    }

    /// Copies `count` bytes between non-overlapping places (arena to caller, caller to arena, arena to arena).
    @inlinable @inline(__always)
    package static func copy(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int) {
        destination.copyMemory(from: source, byteCount: count)
    }

    /// Copies `count` bytes inside the arena where the two ranges may overlap (compaction).
    package static func move(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int) {
        memmove(destination, source, count)
    }

    /// Whether `count` bytes at `shared` equal those at `other`.
    @inlinable @inline(__always)
    package static func equal(_ shared: UnsafeRawPointer, _ other: UnsafeRawPointer, count: Int) -> Bool {
        // Keys are short: word compares beat a call to memcmp for the common 8-32 byte keys.
        var offset = 0
        while count - offset >= 8 {
            if shared.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != other.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < count {
            if shared.load(fromByteOffset: offset, as: UInt8.self) != other.load(fromByteOffset: offset, as: UInt8.self)
            {
                return false
            }
            offset += 1
        }
        return true
    }
}
