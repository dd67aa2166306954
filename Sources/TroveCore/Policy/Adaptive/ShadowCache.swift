/// A keys-only simulation of the adaptive policy's W-TinyLFU core in one `AdaptiveShape`,
/// so that `WindowTuner` can watch how each shape would have done on the same requests.
///
/// It makes the core's decisions (`WTinyLFUCore`, the one the engine's policy uses) on the
/// same kind of queues (FIFOs where an entry read since it last reached the tail gets
/// another lap) but holds only hashes (`ShadowQueues`): no values, no segments, no locks. It keeps its own frequency sketch and, like the core, adds an
/// entry's reads to it only when the entry is examined at a tail: counting them as they
/// happen changed which window looked best. Either the window is fixed, or it follows its
/// own `WindowRegret`; a shape that readmits returning keys remembers the window's
/// evictions in the regret's window ghost or, with a fixed window, a ghost of its own.
/// Capacity is in entries.
///
/// Memory: about 34 bytes per simulated entry (hash, links, queue and read count, a share
/// of the open-addressing index, and a sketch word), plus 16 or 32 bytes of ghosts when it has them.
package struct ShadowCache {
    private var queues = ShadowQueues()
    /// The sketch grows to the capacity simulated, as the core's is sized for its entry limit.
    private var core: WTinyLFUCore

    /// The configuration simulated.
    package let shape: AdaptiveShape
    /// The window's share of the capacity now.
    package var windowFraction: Double { core.windowFraction }
    /// Requests that missed since the simulation started.
    package private(set) var misses = 0

    /// An empty simulation of `shape`.
    package init(_ shape: AdaptiveShape) {
        self.shape = shape
        let windowFraction: Double
        if let fraction = shape.windowFraction {
            windowFraction = fraction
            queues.windowGhost = shape.readmitsReturningKeys ? GhostTable() : nil
        } else {
            windowFraction = WindowRegret.initialFraction
            queues.regret = WindowRegret()
        }
        core = WTinyLFUCore(sketch: FrequencySketch(capacity: 16), windowFraction: windowFraction)
    }

    /// Entries simulated now.
    package var count: Int { queues.liveCount }

    /// The queue that holds `hash` now, numbered as the core's (`WTinyLFUPolicy.window`,
    /// `.probation`, `.protected`), or `nil` if the simulated cache does not hold it.
    package func queue(of hash: UInt64) -> Int? {
        queues.find(hash).map { queues.queue(of: $0) }
    }

    /// The bytes the simulation occupies.
    var byteCount: Int { queues.byteCount + core.sketch.byteCount }

    /// Simulates one request for `hash` in a cache of `capacity` entries; returns whether it hit.
    @discardableResult
    package mutating func request(_ hash: UInt64, capacity: Int) -> Bool {
        if let node = queues.find(hash) {
            queues.recordRead(node)
            return true
        }
        misses += 1
        core.sketch.ensureCapacity(capacity)
        queues.capacity = capacity
        // In the engine's order: a put evicts first, then its key is counted and the window
        // resized (for the next eviction).
        while count >= capacity, count > 0 {
            _ = core.evictOne(from: &queues)
        }
        var returning = false
        if let regret = queues.regret {
            var updated = regret
            (core.windowFraction, returning) = updated.keyInserted(hash, capacity: capacity)
            queues.regret = updated
        } else if queues.windowGhost != nil {
            queues.windowGhost!.setWindow(capacity)
            returning = queues.windowGhost!.remove(hash)
        }
        core.sketch.increment(hash)
        let queue = shape.readmitsReturningKeys && returning ? WTinyLFUPolicy.probation : WTinyLFUPolicy.window
        queues.insert(hash, inQueue: queue)
        return false
    }
}
