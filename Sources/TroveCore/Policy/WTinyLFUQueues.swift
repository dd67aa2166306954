/// The queues W-TinyLFU decides over, as `WTinyLFUCore` sees them: the stripe's segment
/// queues of real entries (`WTinyLFUPolicy`) or a simulation's lists of hashes (`ShadowCache`).
///
/// Queues are numbered as `WTinyLFUPolicy.window`, `.probation`, `.protected` and, where the
/// store has it, `.outgoing`. Each is a FIFO whose tail the core examines: an entry read since
/// it got there is kept (moved to a queue's head, its reads cleared) or the entry is evicted.
protocol WTinyLFUQueues {
    /// What identifies one entry while it sits at a tail.
    associatedtype Entry

    /// Whether the store has the `outgoing` queue, emptied before probation.
    var hasOutgoingQueue: Bool { get }
    /// Entries held now.
    var liveCount: Int { get }
    /// What the queues may hold, in the unit of `size(ofQueue:)` and `size(of:)`.
    var capacity: Int { get }
    /// What `queue` holds now, in entries or bytes (the store's unit).
    func size(ofQueue queue: Int) -> Int
    /// The entry at the tail of `queue`, or `nil` if it is empty.
    mutating func tail(ofQueue queue: Int) -> Entry?
    /// What `entry` counts for against `capacity`.
    func size(of entry: Entry) -> Int
    func hash(of entry: Entry) -> UInt64
    /// Reads of `entry` since it last joined a queue.
    func reads(of entry: Entry) -> Int
    func isExpired(_ entry: Entry) -> Bool
    /// Moves `entry` to the head of `queue` with its reads cleared; `false` if it could not
    /// be moved, and the core then evicts it.
    mutating func keep(_ entry: Entry, inQueue queue: Int) -> Bool
    /// Removes `entry` from the store.
    mutating func evict(_ entry: Entry, fromWindow: Bool)

    // What an observer of the decisions (the adaptive policy) is told, with the entry's
    // estimated frequency at that point, and its say in the admission duel.

    /// Whether anything watches the decisions; the core skips the calls below otherwise.
    var isObserved: Bool { get }
    /// The core added `reads` to the sketch for `entry`.
    func examined(_ entry: Entry, reads: Int, frequency: Int)
    /// `entry` was kept in `queue`.
    func kept(_ entry: Entry, inQueue queue: Int, frequency: Int)
    /// `entry`, unexpired, is about to be evicted.
    func evicting(_ entry: Entry, fromWindow: Bool, frequency: Int)
    /// Whether `candidate` (leaving the window) should replace `victim` (main's next
    /// victim), or `nil` to let the frequencies decide.
    func admits(_ candidate: Entry, _ candidateFrequency: Int, over victim: Entry, _ victimFrequency: Int) -> Bool?
}
