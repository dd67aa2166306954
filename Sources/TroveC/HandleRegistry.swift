import TroveCore

#if canImport(Glibc)
import Glibc
#endif

/// Maps the opaque `trove_t *` values given to C callers to engines.
///
/// A handle is never a real pointer: it encodes a registry slot and that slot's
/// generation. Closing a handle ends its generation, so a handle used after
/// `trove_close` (or a made-up one) is recognised and answered with `TROVE_ECLOSED`
/// instead of being dereferenced. A closed slot is reused only after all never-used
/// slots, and its old engine is released then, which keeps a call that raced with
/// `trove_close` on a still-valid (closed) engine.
final class HandleRegistry: @unchecked Sendable {
    static let shared = HandleRegistry()

    /// Open handles at most; `trove_open` fails with `TROVE_ENOMEM` beyond.
    static let capacity = 4096
    private static let indexBits: UInt64 = 12

    /// Per slot: generation << 1 | open, then the engine's retained pointer.
    private let slots: UnsafeMutableRawPointer
    private let lockMemory: UnsafeMutableRawPointer
    private var neverUsed = 0
    private var closedSlots: [Int] = []
    private var head = 0

    private init() {
        slots = .allocate(byteCount: HandleRegistry.capacity * 16, alignment: 64)
        slots.initializeMemory(as: UInt8.self, repeating: 0, count: HandleRegistry.capacity * 16)
        lockMemory = .allocate(byteCount: PThreadMutex.byteCount, alignment: 64)
        _ = PThreadMutex(initializingAt: lockMemory)
    }

    private var lock: PThreadMutex { PThreadMutex(existingAt: lockMemory) }

    private func state(_ index: Int) -> UnsafeMutableRawPointer { slots + index * 16 }
    private func engineWord(_ index: Int) -> UnsafeMutableRawPointer { slots + index * 16 + 8 }

    /// Registers an engine and returns its handle, or `nil` when every slot is taken.
    func register(_ engine: CacheEngine) -> OpaquePointer? {
        lock.withLock {
            let index: Int
            if neverUsed < HandleRegistry.capacity {
                index = neverUsed
                neverUsed += 1
            } else if head < closedSlots.count {
                index = closedSlots[head]
                head += 1
                if head > 1024 && head * 2 > closedSlots.count {
                    closedSlots.removeFirst(head)
                    head = 0
                }
            } else {
                return nil
            }
            let previous = AtomicWords.loadRelaxed(engineWord(index))
            if let old = UnsafeMutableRawPointer(bitPattern: UInt(previous)) {
                Unmanaged<CacheEngine>.fromOpaque(old).release()
            }
            let generation = (AtomicWords.loadRelaxed(state(index)) >> 1) &+ 1
            let retained = Unmanaged.passRetained(engine).toOpaque()
            AtomicWords.storeRelaxed(UInt64(UInt(bitPattern: retained)), engineWord(index))
            AtomicWords.storeReleasing(generation << 1 | 1, state(index))
            let token = generation << HandleRegistry.indexBits | UInt64(index)
            return OpaquePointer(bitPattern: UInt(token << 4))
        }
    }

    /// The engine for an open handle, or `nil` if the handle is closed or unknown.
    @inline(__always)
    func engine(_ handle: OpaquePointer) -> Unmanaged<CacheEngine>? {
        let token = UInt64(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))) >> 4
        let index = Int(token & ((1 << HandleRegistry.indexBits) - 1))
        let generation = token >> HandleRegistry.indexBits
        guard index < HandleRegistry.capacity,
            AtomicWords.loadAcquiring(state(index)) == generation << 1 | 1,
            let engine = UnsafeMutableRawPointer(bitPattern: UInt(AtomicWords.loadRelaxed(engineWord(index))))
        else { return nil }
        return Unmanaged<CacheEngine>.fromOpaque(engine)
    }

    /// Ends a handle's generation. Returns its engine (to close), or `nil` if it was not open.
    func unregister(_ handle: OpaquePointer) -> Unmanaged<CacheEngine>? {
        lock.withLock {
            guard let engine = engine(handle) else { return nil }
            let token = UInt64(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))) >> 4
            let index = Int(token & ((1 << HandleRegistry.indexBits) - 1))
            AtomicWords.storeReleasing((token >> HandleRegistry.indexBits) << 1, state(index))
            closedSlots.append(index)
            return engine
        }
    }
}
