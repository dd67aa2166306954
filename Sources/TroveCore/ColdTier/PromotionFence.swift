import Synchronization

/// Keeps a disk read from promoting an entry that a bulk removal running meanwhile (an
/// invalidation by prefix or pattern, or `removeAll`) is removing.
///
/// A bulk removal clears memory first and only then makes the disk tier hide what it removes:
/// in that order, an entry evicted or written back to disk during the memory scan lands before
/// the invalidation, which hides it. A disk read in between can hit an entry the scan has
/// already passed by; promoted, that entry would stay readable after the removal returned.
/// So each removal runs between `begin` and `end`, a disk read takes a `ticket()` before it
/// looks at the disk, and its hit is promoted only if `admits(_:)` holds under the stripe's
/// lock: no removal was running when the read began, and none has begun since.
///
/// That suffices. A removal that ended before the ticket was taken is visible to the read
/// (the ticket's acquiring load pairs with `end`). One that begins after it either scans the
/// stripe after the promotion, and removes the promoted entry, or before it, and then the
/// stripe's lock orders its `begin` before `admits`, which refuses.
struct PromotionFence: ~Copyable {
    /// What a read saw of the removals when it began.
    struct Ticket: Equatable {
        fileprivate var word: UInt64
    }

    /// Removals begun (the high 32 bits, wrapping) and removals running (the low 32 bits).
    private let word = Atomic<UInt64>(0)
    private static let begun: UInt64 = 1 << 32
    private static let running: UInt64 = begun - 1

    /// Marks a bulk removal as running; must be paired with `end`.
    func begin() {
        word.wrappingAdd(PromotionFence.begun + 1, ordering: .acquiringAndReleasing)
    }

    /// Marks a bulk removal as done: memory is cleared and the disk tier hides what it removed.
    func end() {
        word.wrappingSubtract(1, ordering: .acquiringAndReleasing)
    }

    /// Taken before a disk read, for `admits(_:)` to judge its hit.
    func ticket() -> Ticket {
        Ticket(word: word.load(ordering: .acquiring))
    }

    /// Whether a hit read under `ticket` may be copied into memory. Under the stripe's lock.
    ///
    /// - Complexity: O(1): one atomic load.
    func admits(_ ticket: Ticket) -> Bool {
        ticket.word & PromotionFence.running == 0 && word.load(ordering: .acquiring) == ticket.word
    }
}
