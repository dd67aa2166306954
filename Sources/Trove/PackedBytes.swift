import FoundationEssentials

/// Byte strings copied end to end into one array, so that a batch of them reaches the engine
/// as buffers into that array, with no closure nested per element to hold each one's bytes.
struct PackedBytes {
    private var bytes: [UInt8] = []
    /// Where each byte string ends in `bytes`.
    private var ends: [Int] = []

    init(reservingCapacity count: Int) {
        ends.reserveCapacity(count)
    }

    mutating func append(_ part: some ContiguousBytes) {
        part.withUnsafeBytes { bytes.append(contentsOf: $0) }
        ends.append(bytes.count)
    }

    mutating func append(utf8 part: String) {
        bytes.append(contentsOf: part.utf8)
        ends.append(bytes.count)
    }

    /// Runs `body` with a buffer per byte string, in order; they point into this value's
    /// storage and must not escape `body`.
    func withBuffers<Result>(_ body: (UnsafeBufferPointer<UnsafeRawBufferPointer>) -> Result) -> Result {
        bytes.withUnsafeBytes { storage in
            var start = 0
            let buffers = ends.map { end in
                defer { start = end }
                return UnsafeRawBufferPointer(rebasing: storage[start..<end])
            }
            return buffers.withUnsafeBufferPointer(body)
        }
    }
}
