/// A `ShadowCache`'s queues: doubly linked lists of hashes in parallel arrays, numbered as the
/// core's (`WTinyLFUPolicy.window`, `.probation`, `.protected`), with an index to find a
/// hash's node and what remembers the window's evictions for the shape.
///
/// Memory: about 26 bytes per entry (hash, links, queue and read count, a share of the
/// open-addressing index), plus the regret's or the ghost's.
struct ShadowQueues: WTinyLFUQueues {
    private static let none: Int32 = -1

    private var hashes: [UInt64] = []
    private var previous: [Int32] = []
    private var next: [Int32] = []
    private var queueOf: [UInt8] = []
    private var readCounts: [UInt8] = []
    private var freeNodes: [Int32] = []
    private var index = ShadowIndex()
    private var heads: (Int32, Int32, Int32) = (none, none, none)
    private var tails: (Int32, Int32, Int32) = (none, none, none)
    private var sizes: (Int, Int, Int) = (0, 0, 0)
    /// The regret that sizes the window, for a regret-sized shape.
    var regret: WindowRegret?
    /// The window's evictions, for a readmitting shape with a fixed window.
    var windowGhost: GhostTable?
    /// The entries the simulated cache holds.
    var capacity = 0

    var hasOutgoingQueue: Bool { false }

    var liveCount: Int { sizes.0 + sizes.1 + sizes.2 }

    /// The bytes the lists, the index and what remembers evictions occupy.
    var byteCount: Int {
        hashes.capacity * 18 + freeNodes.capacity * 4 + index.byteCount + (regret?.byteCount ?? 0)
            + (windowGhost?.byteCount ?? 0)
    }

    /// The node holding `hash`, if any.
    func find(_ hash: UInt64) -> Int32? {
        index.find(hash, in: hashes).map { Int32($0) }
    }

    /// The queue that holds `node`.
    func queue(of node: Int32) -> Int { Int(queueOf[Int(node)]) }

    /// Counts a read of `node`, up to what a slot's access bits hold.
    mutating func recordRead(_ node: Int32) {
        readCounts[Int(node)] = min(readCounts[Int(node)] + 1, AccessState.maximumFrequency)
    }

    /// Adds `hash` at the head of `queue`.
    mutating func insert(_ hash: UInt64, inQueue queue: Int) {
        let node = allocateNode(hash)
        pushHead(node, queue)
        index.insert(hash, node: node, in: hashes)
    }

    func size(ofQueue queue: Int) -> Int {
        switch queue {
        case 0: sizes.0
        case 1: sizes.1
        default: sizes.2
        }
    }

    func tail(ofQueue queue: Int) -> Int32? {
        let node =
            switch queue {
            case 0: tails.0
            case 1: tails.1
            default: tails.2
            }
        return node == ShadowQueues.none ? nil : node
    }

    func size(of entry: Int32) -> Int { 1 }

    func hash(of entry: Int32) -> UInt64 { hashes[Int(entry)] }

    func reads(of entry: Int32) -> Int { Int(readCounts[Int(entry)]) }

    func isExpired(_ entry: Int32) -> Bool { false }

    mutating func keep(_ entry: Int32, inQueue queue: Int) -> Bool {
        unlink(entry)
        readCounts[Int(entry)] = 0
        pushHead(entry, queue)
        return true
    }

    mutating func evict(_ entry: Int32, fromWindow: Bool) {
        let hash = hashes[Int(entry)]
        unlink(entry)
        index.remove(hash, in: hashes)
        freeNodes.append(entry)
        if regret != nil {
            regret!.keyEvicted(hash, fromWindow: fromWindow)
        } else if fromWindow, windowGhost != nil {
            windowGhost!.insert(hash)
        }
    }

    // A simulation has no observer and lets the frequencies decide.

    var isObserved: Bool { false }

    func examined(_ entry: Int32, reads: Int, frequency: Int) {}

    func kept(_ entry: Int32, inQueue queue: Int, frequency: Int) {}

    func evicting(_ entry: Int32, fromWindow: Bool, frequency: Int) {}

    func admits(_ candidate: Int32, _ candidateFrequency: Int, over victim: Int32, _ victimFrequency: Int) -> Bool? {
        nil
    }

    private mutating func allocateNode(_ hash: UInt64) -> Int32 {
        if let node = freeNodes.popLast() {
            hashes[Int(node)] = hash
            readCounts[Int(node)] = 0
            return node
        }
        hashes.append(hash)
        previous.append(ShadowQueues.none)
        next.append(ShadowQueues.none)
        queueOf.append(0)
        readCounts.append(0)
        return Int32(hashes.count - 1)
    }

    private mutating func pushHead(_ node: Int32, _ queue: Int) {
        let slot = Int(node)
        queueOf[slot] = UInt8(queue)
        previous[slot] = ShadowQueues.none
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
        if head != ShadowQueues.none {
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
        if before != ShadowQueues.none {
            next[Int(before)] = after
        } else {
            switch queue {
            case 0: heads.0 = after
            case 1: heads.1 = after
            default: heads.2 = after
            }
        }
        if after != ShadowQueues.none {
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
