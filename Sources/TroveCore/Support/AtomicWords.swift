import Synchronization

/// Atomic access to 64-bit words in raw memory (index slots, stripe headers, counters).
///
/// `Synchronization.Atomic` is a noncopyable value type; these helpers bind an aligned
/// word of engine-owned memory to it so that state shared with lock-free readers can
/// live in plain `mmap`ed or allocated memory instead of in class instances, which
/// would bring reference counting onto the read path.
package enum AtomicWords {
    @inlinable @inline(__always)
    package static func word(_ pointer: UnsafeRawPointer) -> UnsafePointer<Atomic<UInt64>> {
        // Safe because every caller passes 8-byte aligned engine memory.
        assert(UInt(bitPattern: pointer) & 7 == 0)
        return pointer.assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    @inlinable @inline(__always)
    package static func loadRelaxed(_ pointer: UnsafeRawPointer) -> UInt64 {
        word(pointer).pointee.load(ordering: .relaxed)
    }

    @inlinable @inline(__always)
    package static func loadAcquiring(_ pointer: UnsafeRawPointer) -> UInt64 {
        word(pointer).pointee.load(ordering: .acquiring)
    }

    @inlinable @inline(__always)
    package static func storeRelaxed(_ value: UInt64, _ pointer: UnsafeRawPointer) {
        word(pointer).pointee.store(value, ordering: .relaxed)
    }

    @inlinable @inline(__always)
    package static func storeReleasing(_ value: UInt64, _ pointer: UnsafeRawPointer) {
        word(pointer).pointee.store(value, ordering: .releasing)
    }

    @inlinable @inline(__always)
    package static func add(_ delta: UInt64, _ pointer: UnsafeRawPointer) {
        word(pointer).pointee.wrappingAdd(delta, ordering: .relaxed)
    }

    @inlinable @inline(__always)
    package static func subtract(_ delta: UInt64, _ pointer: UnsafeRawPointer) {
        word(pointer).pointee.wrappingSubtract(delta, ordering: .relaxed)
    }

    /// Replaces `expected` with `desired`; false if the word held something else.
    @inlinable @inline(__always)
    package static func compareExchange(_ expected: UInt64, _ desired: UInt64, _ pointer: UnsafeRawPointer) -> Bool {
        word(pointer).pointee.compareExchange(expected: expected, desired: desired, ordering: .relaxed).exchanged
    }
}

extension AtomicWords {
    /// A sequentially consistent increment: a full fence, for the in-flight handshake with `close`.
    @inlinable @inline(__always)
    package static func incrementOrdered(_ pointer: UnsafeRawPointer) {
        word(pointer).pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }

    /// A sequentially consistent decrement.
    @inlinable @inline(__always)
    package static func decrementOrdered(_ pointer: UnsafeRawPointer) {
        word(pointer).pointee.wrappingSubtract(1, ordering: .sequentiallyConsistent)
    }
}
