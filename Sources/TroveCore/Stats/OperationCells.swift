#if canImport(Glibc)
import Glibc
#endif

/// Per-thread counters for the operations readers perform without a lock.
///
/// A shared counter bumped by every get would bounce its cache line between cores on
/// each operation. Instead each thread adds to one of 64 cells picked by hashing its
/// thread id, so threads rarely share a line; totals are sums over the cells. Each cell
/// also counts its thread's operations in flight, which lets `close` wait until no
/// thread is still reading memory it is about to unmap.
///
/// A block of cells is never freed: a closed engine's block goes to the next engine opened
/// (see `recycle`), because a call that raced with `close` may still add to and take back
/// its in-flight count (see `CacheEngine.enter`), and that must land in memory that stays
/// valid. So the process holds as many blocks (8 KiB each) as it ever had engines open at
/// once, and a closed engine's shell, which the C handle table keeps for such calls, none.
package final class OperationCells {
    package enum Counter: Int, CaseIterable {
        case inFlight = 0
        case hits
        case misses
        case puts
        case deletes
    }

    /// Cells per block, a power of two: a thread's cell is the top bits of a hash of its id.
    @usableFromInline static let cellCount = 64
    /// Bytes per cell: two cache lines, so that adjacent-line prefetching does not pair cells.
    @usableFromInline static let cellStride = 128

    @usableFromInline let memory: UnsafeMutableRawPointer
    /// Whether `memory` went back to `spareBlocks`.
    private var recycled = false

    /// Blocks of closed engines, for the next engines opened; guarded by `spareLock`.
    nonisolated(unsafe) private static var spareBlocks: [UnsafeMutableRawPointer] = []
    /// A pthread mutex rather than `Synchronization.Mutex`, whose futex ThreadSanitizer
    /// cannot see: it reported the guarded list as raced.
    nonisolated(unsafe) private static let spareLock = PThreadMutex(
        initializingAt: .allocate(byteCount: PThreadMutex.byteCount, alignment: 64)
    )

    package init() {
        let spare = OperationCells.spareLock.withLock { OperationCells.spareBlocks.popLast() }
        if let spare {
            memory = spare
            // In-flight counts stay: a late call may be between its increment and its decrement.
            resetCounters()
        } else {
            let bytes = OperationCells.cellCount * OperationCells.cellStride
            memory = .allocate(byteCount: bytes, alignment: 128)
            memory.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        }
    }

    deinit {
        recycle()
    }

    /// Hands the cells to the next engine opened; does nothing the second time.
    ///
    /// Only for an engine that counts nothing more: once closed, `CacheEngine.enter` still adds
    /// to an in-flight count, but takes it back before it returns `nil`.
    package func recycle() {
        guard !recycled else { return }
        recycled = true
        OperationCells.spareLock.withLock { OperationCells.spareBlocks.append(memory) }
    }

    /// The calling thread's cell. Costs a `pthread_self` call and a multiply.
    @inlinable @inline(__always)
    package func current() -> UnsafeMutableRawPointer {
        let thread = UInt64(UInt(bitPattern: Int(bitPattern: pthread_self())))
        let shift = UInt64(UInt64.bitWidth - OperationCells.cellCount.trailingZeroBitCount)
        let index = Int(truncatingIfNeeded: (thread &* 0x9E37_79B9_7F4A_7C15) >> shift)
        return memory + index * OperationCells.cellStride
    }

    /// Adds one to `counter` in `cell`.
    @inlinable @inline(__always)
    package static func increment(_ counter: Counter, in cell: UnsafeMutableRawPointer) {
        add(1, to: counter, in: cell)
    }

    /// Adds `amount` to `counter` in `cell`.
    @inlinable @inline(__always)
    package static func add(_ amount: UInt64, to counter: Counter, in cell: UnsafeMutableRawPointer) {
        AtomicWords.add(amount, cell + counter.rawValue * 8)
    }

    /// The sum of `counter` over all cells.
    package func total(_ counter: Counter) -> UInt64 {
        var sum: UInt64 = 0
        for index in 0..<OperationCells.cellCount {
            sum &+= AtomicWords.loadRelaxed(memory + index * OperationCells.cellStride + counter.rawValue * 8)
        }
        return sum
    }

    /// Zeroes the operation counters (not the in-flight counts).
    package func resetCounters() {
        for index in 0..<OperationCells.cellCount {
            for counter in Counter.allCases where counter != .inFlight {
                AtomicWords.storeRelaxed(0, memory + index * OperationCells.cellStride + counter.rawValue * 8)
            }
        }
    }
}
