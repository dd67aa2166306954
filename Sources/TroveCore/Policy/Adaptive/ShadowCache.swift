/// A keys-only simulation of the adaptive policy's W-TinyLFU core in one `AdaptiveShape`,
/// so that `WindowTuner` can watch how each shape would have done on the same requests.
///
/// It makes the core's decisions on the same kind of queues (FIFOs where an entry read
/// since it last reached the tail gets another lap) but holds only hashes: no values,
/// no segments, no locks. It keeps its own frequency sketch and, like the core, adds an
/// entry's reads to it only when the entry is examined at a tail: counting them as they
/// happen changed which window looked best. Either the window is fixed, or it follows its
/// own `WindowRegret`; a shape that readmits returning keys remembers the window's
/// evictions in the regret's window ghost or, with a fixed window, a ghost of its own.
/// Capacity is in entries.
///
/// Memory: about 34 bytes per simulated entry (hash, links, queue and read count, a share
/// of the open-addressing index, and a sketch word), plus 16 or 32 bytes of ghosts when it has them.
package struct ShadowCache {
    private static let none: Int32 = -1

    private var hashes: [UInt64] = []
    private var previous: [Int32] = []
    private var next: [Int32] = []
    private var queueOf: [UInt8] = []
    private var reads: [UInt8] = []
    private var freeNodes: [Int32] = []
    private var index = ShadowIndex()
    private var heads: (Int32, Int32, Int32) = (none, none, none)
    private var tails: (Int32, Int32, Int32) = (none, none, none)
    private var sizes: (Int, Int, Int) = (0, 0, 0)
    private var regret: WindowRegret?
    private var windowGhost: GhostTable?
    /// Grows to the capacity simulated, as the core's is sized for its entry limit.
    private var sketch = FrequencySketch(capacity: 16)

    /// The configuration simulated.
    package let shape: AdaptiveShape
    /// The window's share of the capacity now.
    package private(set) var windowFraction: Double
    /// Requests that missed since the simulation started.
    package private(set) var misses = 0

    // The core's numbering (`WTinyLFUPolicy`), which `queue(of:)` reports.
    private static let window = 0
    private static let probation = 1
    private static let protected = 2

    /// An empty simulation of `shape`.
    package init(_ shape: AdaptiveShape) {
        self.shape = shape
        if let fraction = shape.windowFraction {
            windowFraction = fraction
            windowGhost = shape.readmitsReturningKeys ? GhostTable() : nil
        } else {
            windowFraction = WindowRegret.initialFraction
            regret = WindowRegret()
        }
    }

    /// Entries simulated now.
    package var count: Int { sizes.0 + sizes.1 + sizes.2 }

    /// The queue that holds `hash` now, numbered as the core's (`WTinyLFUPolicy.window`,
    /// `.probation`, `.protected`), or `nil` if the simulated cache does not hold it.
    package func queue(of hash: UInt64) -> Int? {
        index.find(hash, in: hashes).map { Int(queueOf[$0]) }
    }

    /// The bytes the simulation occupies.
    var byteCount: Int {
        hashes.capacity * 18 + freeNodes.capacity * 4 + index.byteCount + sketch.byteCount + (regret?.byteCount ?? 0)
            + (windowGhost?.byteCount ?? 0)
    }

    /// Simulates one request for `hash` in a cache of `capacity` entries; returns whether it hit.
    @discardableResult
    package mutating func request(_ hash: UInt64, capacity: Int) -> Bool {
        if let node = index.find(hash, in: hashes) {
            reads[node] = min(reads[node] + 1, AccessState.maximumFrequency)
            return true
        }
        misses += 1
        sketch.ensureCapacity(capacity)
        // In the engine's order: a put evicts first, then its key is counted and the window
        // resized (for the next eviction).
        while count >= capacity, count > 0 {
            evictOne(capacity: capacity)
        }
        var returning = false
        if let regret {
            var updated = regret
            (windowFraction, returning) = updated.keyInserted(hash, capacity: capacity)
            self.regret = updated
        } else if windowGhost != nil {
            windowGhost!.setWindow(capacity)
            returning = windowGhost!.remove(hash)
        }
        sketch.increment(hash)
        let node = allocateNode(hash)
        pushHead(node, shape.readmitsReturningKeys && returning ? ShadowCache.probation : ShadowCache.window)
        index.insert(hash, node: node, in: hashes)
        return false
    }

    private mutating func evictOne(capacity: Int) {
        while true {
            let windowTarget = max(Int(Double(capacity) * windowFraction), 1)
            let protectedTarget = (capacity - windowTarget) * 8 / 10
            if sizes.2 > protectedTarget {
                let entry = tails.2
                move(entry, to: examine(entry) ? ShadowCache.protected : ShadowCache.probation)
                continue
            }
            guard sizes.0 >= windowTarget || sizes.1 + sizes.2 == 0, tails.0 != ShadowCache.none else {
                evict(nextVictim(), fromWindow: false)
                return
            }
            let candidate = tails.0
            if examine(candidate) {
                move(candidate, to: ShadowCache.window)
                continue
            }
            if sizes.1 + sizes.2 + 1 <= capacity - windowTarget {
                move(candidate, to: ShadowCache.probation)
                continue
            }
            let victim = nextVictim()
            guard victim != ShadowCache.none else {
                evict(candidate, fromWindow: true)
                return
            }
            if sketch.frequency(hashes[Int(candidate)]) > sketch.frequency(hashes[Int(victim)]) {
                evict(victim, fromWindow: false)
                move(candidate, to: ShadowCache.probation)
            } else {
                evict(candidate, fromWindow: true)
            }
            return
        }
    }

    /// Main's next victim, promoting read probation entries to protected on the way.
    private mutating func nextVictim() -> Int32 {
        for queue in ShadowCache.probation...ShadowCache.protected {
            while case let entry = tail(queue), entry != ShadowCache.none {
                guard examine(entry) else { return entry }
                move(entry, to: ShadowCache.protected)
            }
        }
        return ShadowCache.none
    }

    /// Adds the reads `node` saw since it was last examined to the sketch, as the core
    /// does, and returns whether there were any.
    private mutating func examine(_ node: Int32) -> Bool {
        let count = Int(reads[Int(node)])
        sketch.increment(hashes[Int(node)], by: count)
        return count > 0
    }

    private mutating func evict(_ node: Int32, fromWindow: Bool) {
        let hash = hashes[Int(node)]
        unlink(node)
        index.remove(hash, in: hashes)
        freeNodes.append(node)
        if regret != nil {
            regret!.keyEvicted(hash, fromWindow: fromWindow)
        } else if fromWindow, windowGhost != nil {
            windowGhost!.insert(hash)
        }
    }

    private mutating func allocateNode(_ hash: UInt64) -> Int32 {
        if let node = freeNodes.popLast() {
            hashes[Int(node)] = hash
            reads[Int(node)] = 0
            return node
        }
        hashes.append(hash)
        previous.append(ShadowCache.none)
        next.append(ShadowCache.none)
        queueOf.append(0)
        reads.append(0)
        return Int32(hashes.count - 1)
    }

    /// Moves `node` to the head of `queue` with its read count cleared.
    private mutating func move(_ node: Int32, to queue: Int) {
        unlink(node)
        reads[Int(node)] = 0
        pushHead(node, queue)
    }

    private func tail(_ queue: Int) -> Int32 {
        switch queue {
        case 0: tails.0
        case 1: tails.1
        default: tails.2
        }
    }

    private mutating func pushHead(_ node: Int32, _ queue: Int) {
        let slot = Int(node)
        queueOf[slot] = UInt8(queue)
        previous[slot] = ShadowCache.none
        let head: Int32
        switch queue {
        case 0:
            head = heads.0
            heads.0 = node
            sizes.0 += 1
        case 1:
            head = heads.1
            heads.1 = node
            sizes.1 += 1
        default:
            head = heads.2
            heads.2 = node
            sizes.2 += 1
        }
        next[slot] = head
        if head != ShadowCache.none {
            previous[Int(head)] = node
        } else {
            setTail(queue, node)
        }
    }

    private mutating func unlink(_ node: Int32) {
        let slot = Int(node)
        let queue = Int(queueOf[slot])
        let before = previous[slot]
        let after = next[slot]
        if before != ShadowCache.none {
            next[Int(before)] = after
        } else {
            switch queue {
            case 0: heads.0 = after
            case 1: heads.1 = after
            default: heads.2 = after
            }
        }
        if after != ShadowCache.none {
            previous[Int(after)] = before
        } else {
            setTail(queue, before)
        }
        switch queue {
        case 0: sizes.0 -= 1
        case 1: sizes.1 -= 1
        default: sizes.2 -= 1
        }
    }

    private mutating func setTail(_ queue: Int, _ node: Int32) {
        switch queue {
        case 0: tails.0 = node
        case 1: tails.1 = node
        default: tails.2 = node
        }
    }
}
