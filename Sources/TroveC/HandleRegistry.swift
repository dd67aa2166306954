import CTroveABI
import Synchronization
import TroveCore

#if canImport(Glibc)
import Glibc
#endif

/// Maps the opaque `trove_t *` values given to C callers to engines.
///
/// A handle is never a real pointer: it encodes a slot of a fixed table and that slot's
/// generation. Closing a handle ends its generation, so a handle used after
/// `trove_close` (or a made-up one) is recognised and answered with `TROVE_ECLOSED`
/// instead of being dereferenced. A closed slot is reused only after every never-used
/// slot, and its old engine is released then, which keeps a call that raced with
/// `trove_close` on a still-valid (closed) engine. What waits for the reuse is only the
/// engine's closed shell, under a kilobyte: `trove_close` has already given back its
/// memory, files, io_uring rings and threads (see `CacheEngine.close`), so the table holds
/// at most `capacity` shells, about a megabyte, however many caches are opened and closed.
///
/// Lookups read the table (C static storage) with two atomic loads and take no lock;
/// opening and closing take a mutex.
enum HandleRegistry {
    /// Open handles at most; `trove_open` fails with `TROVE_ENOMEM` beyond.
    static let capacity = Int(TROVE_HANDLE_SLOT_COUNT)
    private static let indexBits: UInt64 = 12

    /// The free-slot bookkeeping, used only by open and close.
    private struct Allocation {
        var neverUsed = 0
        var closed: [Int] = []
        var head = 0
    }

    private static let allocation = Mutex(Allocation())

    @inline(__always)
    private static func word(_ index: Int) -> UnsafePointer<Atomic<UInt64>> {
        // Safe because the C table holds `2 * capacity` zero-initialized, 8-byte-aligned
        // `_Atomic uint64_t`s, laid out as `Atomic<UInt64>`, and is never freed.
        assert(index >= 0 && index < 2 * capacity, "handle word \(index) out of range")
        return UnsafeRawPointer(trove_handle_slots() + index).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    @inline(__always)
    private static func state(_ slot: Int) -> UnsafePointer<Atomic<UInt64>> { word(2 * slot) }

    @inline(__always)
    private static func engineWord(_ slot: Int) -> UnsafePointer<Atomic<UInt64>> { word(2 * slot + 1) }

    /// Registers an engine and returns its handle, or `nil` when every slot is taken.
    static func register(_ engine: CacheEngine) -> OpaquePointer? {
        allocation.withLock { allocation -> OpaquePointer? in
            let slot: Int
            if allocation.neverUsed < capacity {
                slot = allocation.neverUsed
                allocation.neverUsed += 1
            } else if allocation.head < allocation.closed.count {
                slot = allocation.closed[allocation.head]
                allocation.head += 1
                if allocation.head > 1024 && allocation.head * 2 > allocation.closed.count {
                    allocation.closed.removeFirst(allocation.head)
                    allocation.head = 0
                }
            } else {
                return nil
            }
            if let old = UnsafeMutableRawPointer(bitPattern: UInt(engineWord(slot).pointee.load(ordering: .relaxed))) {
                // Safe because the word holds the reference `passRetained` took when the slot
                // was last registered, and only registration (under this lock) gives it back.
                Unmanaged<CacheEngine>.fromOpaque(old).release()
            }
            let generation = (state(slot).pointee.load(ordering: .relaxed) >> 1) &+ 1
            let retained = Unmanaged.passRetained(engine).toOpaque()
            engineWord(slot).pointee.store(UInt64(UInt(bitPattern: retained)), ordering: .relaxed)
            state(slot).pointee.store(generation << 1 | 1, ordering: .releasing)
            let token = generation << indexBits | UInt64(slot)
            return OpaquePointer(bitPattern: UInt(token << 4))
        }
    }

    /// The slot and generation a handle encodes.
    @inline(__always)
    private static func decode(_ handle: OpaquePointer) -> (slot: Int, generation: UInt64) {
        let token = UInt64(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))) >> 4
        return (Int(token & ((1 << indexBits) - 1)), token >> indexBits)
    }

    /// The engine for an open handle, or `nil` if the handle is closed or unknown.
    @inline(__always)
    static func engine(_ handle: OpaquePointer) -> Unmanaged<CacheEngine>? {
        let (slot, generation) = decode(handle)
        guard slot < capacity, state(slot).pointee.load(ordering: .acquiring) == generation << 1 | 1,
            let engine = UnsafeMutableRawPointer(bitPattern: UInt(engineWord(slot).pointee.load(ordering: .relaxed)))
        else { return nil }
        // Safe because the table keeps a retained reference to the engine until the slot is
        // reused, which happens only after every never-used slot (see the type's comment).
        return Unmanaged<CacheEngine>.fromOpaque(engine)
    }

    /// Ends a handle's generation. Returns its engine (to close), or `nil` if it was not open.
    static func unregister(_ handle: OpaquePointer) -> Unmanaged<CacheEngine>? {
        allocation.withLock { allocation -> Unmanaged<CacheEngine>? in
            guard let engine = engine(handle) else { return nil }
            let (slot, generation) = decode(handle)
            state(slot).pointee.store(generation << 1, ordering: .releasing)
            allocation.closed.append(slot)
            return engine
        }
    }
}
