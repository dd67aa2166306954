/// A value kept behind a pointer, so that reading and changing it skips Swift's dynamic
/// exclusivity checks.
///
/// Every access to a class's stored `var` calls `swift_beginAccess`, about 80 instructions
/// through thread-local storage; policies touch their state several times per insert and
/// eviction, and callgrind counted those checks at a quarter to a third of a put. A stripe's
/// mutex already serializes every access to its policy, which is what the checks enforce.
///
/// The owner creates one in its initializer and calls `release()` in its `deinit`; the
/// storage must not be used after that. Not thread-safe: callers serialize access.
struct UncheckedStorage<Value> {
    private let pointer: UnsafeMutablePointer<Value>

    init(_ value: Value) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: value)
    }

    /// The value, read or changed in place. Reading a part of it (`value.field`) reads
    /// only that part: a getter would copy the whole value first, retaining every
    /// reference in it.
    var value: Value {
        unsafeAddress { UnsafePointer(pointer) }
        nonmutating unsafeMutableAddress { pointer }
    }

    /// Destroys the value and frees its memory.
    func release() {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}
