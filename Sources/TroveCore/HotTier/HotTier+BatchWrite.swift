/// Puts and deletes of many keys at once, grouped by stripe so that each stripe's mutex is
/// taken once per batch rather than once per key.
extension HotTier {
    /// One key of a batched write: its position in the caller's arrays, its hash, and (once
    /// grouped) the next key of the batch on its stripe. 16 bytes, so 64 fit the 1 KiB that
    /// `withUnsafeTemporaryAllocation` keeps on the stack.
    package struct BatchKey {
        package var hash: UInt64
        package var index: Int32
        var next: Int32 = -1

        package init(hash: UInt64, index: Int32) {
            self.hash = hash
            self.index = index
        }
    }

    /// For each key `k` of `batch`, inserts or overwrites `keys[k.index]` with `values[k.index]`
    /// and writes to `statuses[k.index]` what `put` would have returned for it.
    ///
    /// A stripe's entries are written in batch order under one hold of its mutex, so of a key
    /// given twice the later value stays. An entry that finds nothing to evict in its stripe
    /// borrows a segment with the mutex released, as `put` does, before the stripe's next
    /// entries are written.
    ///
    /// - Parameter batch: The keys to write, validated and hashed; their `next` links are overwritten.
    /// - Returns: How many entries were stored.
    /// - Complexity: O(n + stripes) to group the keys, then what `put` costs for each; one
    ///   lock per stripe in the batch, and one more per entry that had to borrow memory.
    package func put(
        batch: UnsafeMutableBufferPointer<BatchKey>,
        keys: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        values: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        expiry: UInt64,
        statuses: UnsafeMutableBufferPointer<TroveStatus>
    ) -> Int {
        var stored = 0
        forEachStripe(in: batch) { stripe, first in
            var position = first
            while position >= 0 {
                var starved: BatchKey?
                stripe.header.mutex.lock()
                while position >= 0 && starved == nil {
                    let entry = batch[position]
                    position = Int(entry.next)
                    let index = Int(entry.index)
                    let status = stripe.put(key: keys[index], value: values[index], hash: entry.hash, expiry: expiry)
                    statuses[index] = status
                    if status == .ok { stored += 1 }
                    if status == .outOfMemory { starved = entry }
                }
                stripe.checkInvariants()
                stripe.header.mutex.unlock()
                // Borrowing locks other stripes, which it must not do while holding this one's mutex.
                if let starved {
                    let index = Int(starved.index)
                    let status = putBorrowing(
                        key: keys[index],
                        value: values[index],
                        hash: starved.hash,
                        expiry: expiry
                    )
                    statuses[index] = status
                    if status == .ok { stored += 1 }
                }
            }
        }
        return stored
    }

    /// For each key `k` of `batch`, deletes `keys[k.index]` from memory and the cold tier and
    /// writes `.ok` to `statuses[k.index]` if either had it, else `.notFound`.
    ///
    /// - Parameter batch: The keys to delete, validated and hashed; their `next` links are overwritten.
    /// - Returns: How many keys were removed.
    /// - Complexity: O(n + stripes) to group the keys, then what `delete` costs for each; one
    ///   lock per stripe in the batch.
    package func delete(
        batch: UnsafeMutableBufferPointer<BatchKey>,
        keys: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        statuses: UnsafeMutableBufferPointer<TroveStatus>
    ) -> Int {
        var removed = 0
        forEachStripe(in: batch) { stripe, first in
            stripe.header.mutex.lock()
            var position = first
            while position >= 0 {
                let entry = batch[position]
                position = Int(entry.next)
                let found = stripe.delete(key: keys[Int(entry.index)], hash: entry.hash)
                statuses[Int(entry.index)] = found ? .ok : .notFound
                if found { removed += 1 }
            }
            stripe.checkInvariants()
            stripe.header.mutex.unlock()
        }
        return removed
    }

    /// Links each key of `batch` to the next one on its stripe, then calls `body` with each
    /// stripe the batch touches (in the order of their first keys) and the position of its
    /// first key; `next` leads from there through the stripe's keys in batch order.
    ///
    /// Linking rather than sorting costs O(n + stripes) and no comparison: heapsort took 8%
    /// of a 100-entry `trove_put_many`, and the standard library's sort allocates.
    private func forEachStripe(in batch: UnsafeMutableBufferPointer<BatchKey>, _ body: (Stripe, Int) -> Void) {
        // The last key seen on each stripe, then the first key of each stripe touched, in order.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * stripes.count) { lists in
            let last = UnsafeMutableBufferPointer(rebasing: lists[..<stripes.count])
            let firsts = UnsafeMutableBufferPointer(rebasing: lists[stripes.count...])
            last.initialize(repeating: -1)
            var touched = 0
            for position in batch.indices {
                let number = stripeNumber(batch[position].hash)
                batch[position].next = -1
                if last[number] >= 0 {
                    batch[Int(last[number])].next = Int32(position)
                } else {
                    // Safe because each stripe is touched once, and `firsts` has a slot per stripe.
                    firsts.initializeElement(at: touched, to: Int32(position))
                    touched += 1
                }
                last[number] = Int32(position)
            }
            for first in firsts[..<touched] {
                body(stripes[stripeNumber(batch[Int(first)].hash)], Int(first))
            }
        }
    }
}
