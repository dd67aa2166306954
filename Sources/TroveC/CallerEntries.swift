import TroveCore

/// The parallel arrays of a batched write (`keys`/`key_lens`, and `values`/`value_lens` for
/// puts), checked entry by entry as `trove_put` and `trove_delete` check theirs, and handed
/// to the engine as Swift buffers.
struct CallerEntries {
    let count: Int
    let keys: UnsafePointer<UnsafeRawPointer?>
    let keyLengths: UnsafePointer<UInt>
    var values: UnsafePointer<UnsafeRawPointer?>?
    var valueLengths: UnsafePointer<UInt>?

    /// Why the C layer rejects entry `index` (see `bytes`), the key checked before the value
    /// as `trove_put` does, or `nil`.
    func rejection(_ index: Int) -> TroveStatus? {
        if case .failure(let status) = bytes(keys[index], keyLengths[index]) { return status }
        if let values, let valueLengths, case .failure(let status) = bytes(values[index], valueLengths[index]) {
            return status
        }
        return nil
    }

    /// Runs `engineCall` with the keys and values (empty for deletes) as Swift buffers and
    /// the caller's `statuses` as the engine's, then returns the call's own status.
    ///
    /// A rejected entry reaches the engine with an empty key, which it refuses with
    /// `.invalidArgument` without writing anything; its status is then replaced by the
    /// rejection's, so each entry's status is what the single call would have returned.
    ///
    /// - Returns: `TROVE_OK`, or `TROVE_ECLOSED` if the engine closed during the call.
    /// - Complexity: O(count); the buffers are on the stack up to 1 KiB (64 keys, or 32
    ///   entries with their values), else in one allocation.
    func run(
        statuses: UnsafeMutablePointer<Int32>,
        _ function: StaticString,
        _ engineCall: (
            _ keys: UnsafeBufferPointer<UnsafeRawBufferPointer>,
            _ values: UnsafeBufferPointer<UnsafeRawBufferPointer>,
            _ statuses: UnsafeMutableBufferPointer<TroveStatus>
        ) -> Void
    ) -> Int32 {
        let valueCount = values == nil ? 0 : count
        return withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: count + valueCount) { storage in
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            for index in 0..<count {
                let rejected = rejection(index) != nil
                // Safe because `rejection` found both lengths within `Int` and no NULL pointer with a length.
                storage.initializeElement(
                    at: index,
                    to: rejected ? empty : UnsafeRawBufferPointer(start: keys[index], count: Int(keyLengths[index]))
                )
                if let values, let valueLengths {
                    storage.initializeElement(
                        at: count + index,
                        to: rejected
                            ? empty : UnsafeRawBufferPointer(start: values[index], count: Int(valueLengths[index]))
                    )
                }
            }
            defer { storage.deinitialize() }
            // Safe because `TroveStatus` is a struct over one `Int32`: the two share a layout.
            assert(MemoryLayout<TroveStatus>.stride == MemoryLayout<Int32>.stride)
            return statuses.withMemoryRebound(to: TroveStatus.self, capacity: count) { results in
                let results = UnsafeMutableBufferPointer(start: results, count: count)
                engineCall(
                    UnsafeBufferPointer(rebasing: storage[..<count]),
                    UnsafeBufferPointer(rebasing: storage[count..<(count + valueCount)]),
                    results
                )
                var closed = false
                for index in 0..<count {
                    if results[index] == .invalidArgument, let rejected = rejection(index) { results[index] = rejected }
                    if results[index] == .closed { closed = true }
                }
                return closed ? report(.closed, function) : TroveStatus.ok.rawValue
            }
        }
    }
}
