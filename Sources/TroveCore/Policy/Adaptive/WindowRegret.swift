/// Sizes W-TinyLFU's window from regret, as ARC sizes its lists: a key evicted from the
/// window and requested again soon says the window is too small, one evicted from main
/// that comes back says main is too small, and each such return moves the window's target
/// by one entry, between 1% and 40% of the capacity.
///
/// Memory: two `GhostTable`s remembering a capacity's worth of evictions each, 16 bytes
/// per cached entry in all (`byteCount(capacity:)`).
struct WindowRegret {
    private var windowGhost = GhostTable()
    private var mainGhost = GhostTable()
    private var capacity = 0
    private var target: Double

    /// Starts with the window at `initialFraction` of the capacity.
    init(initialFraction: Double = WindowRegret.initialFraction) {
        target = initialFraction
    }

    /// The bytes the ghosts occupy.
    var byteCount: Int { windowGhost.byteCount + mainGhost.byteCount }

    /// The bytes the ghosts of a cache of `capacity` entries occupy.
    static func byteCount(capacity: Int) -> Int { 2 * GhostTable.byteCount(capacity: capacity) }

    /// Fixes the ghosts' size for a cache of at most `capacity` entries (forgetting what
    /// they held if that changes it); they no longer grow by themselves.
    mutating func resize(forCapacity capacity: Int) {
        guard windowGhost.capacity != max(capacity, 16) else { return }
        windowGhost = GhostTable(capacity: capacity, growable: false)
        mainGhost = GhostTable(capacity: capacity, growable: false)
    }

    /// The window's share before any regret is counted.
    static let initialFraction = 0.1

    /// A key that is not cached is being inserted into a cache of `capacity` entries.
    ///
    /// - Returns: The window's share of the capacity from now on, and whether the key left
    ///   the window unadmitted within the last capacity's worth of evictions.
    mutating func keyInserted(
        _ hash: UInt64,
        capacity newCapacity: Int
    ) -> (windowFraction: Double, leftWindowRecently: Bool) {
        if newCapacity != capacity {
            // The target is kept as a share until the first capacity is known, then in entries.
            target = capacity == 0 ? target * Double(newCapacity) : target
            capacity = newCapacity
            windowGhost.setWindow(newCapacity)
            mainGhost.setWindow(newCapacity)
        }
        let leftWindowRecently = windowGhost.remove(hash)
        if leftWindowRecently {
            target += 1
        } else if mainGhost.remove(hash) {
            target -= 1
        }
        let entries = Double(capacity)
        target = min(max(target, entries * 0.01), entries * 0.4)
        return (target / entries, leftWindowRecently)
    }

    /// The core evicted a key from the window or from main.
    mutating func keyEvicted(_ hash: UInt64, fromWindow: Bool) {
        if fromWindow {
            windowGhost.insert(hash)
        } else {
            mainGhost.insert(hash)
        }
    }
}
