/// One FIFO of segments inside a stripe: entries are appended at the head and leave at the tail.
///
/// Policies use one to three of these (CLOCK one; S3-FIFO a small and a main queue;
/// W-TinyLFU a window and a main queue). Eviction walks the tail entry by entry, so a
/// queue behaves as an item-granular FIFO even though memory is reclaimed a whole
/// segment at a time, once the walk has passed its last entry.
package struct SegmentQueue {
    /// The newest segment, written to; -1 when the queue has none.
    package var head: Int32 = -1
    /// The oldest segment, walked by eviction; -1 when the queue has none.
    package var tail: Int32 = -1
    /// The walk position inside `tail`: entries before it have left the queue.
    package var cursor = 0
    /// Bytes of live entries in the queue.
    package var liveBytes = 0
    /// Live entries in the queue.
    package var liveItems = 0
    /// Segments linked into the queue.
    package var segments = 0
}

/// A live entry at the tail of a queue, offered to the policy to keep or evict.
package struct EvictionCandidate {
    package var queue: Int
    package var segment: Int32
    /// Byte offset of the entry in the arena.
    package var locator: UInt64
    package var slotIndex: Int
    package var slot: UInt64
    package var hash: UInt64
    package var header: EntryLayout.Header
    package var isExpired: Bool

    /// The slot's access state (frequency and last-read tick).
    package var access: UInt8 { Slot.access(slot) }
}
