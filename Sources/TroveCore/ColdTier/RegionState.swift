/// Where one region is in its life: free, being filled in memory, waiting for or under
/// its write, on disk, or being evicted.
struct RegionState {
    enum Phase: Equatable {
        case free
        /// Appended to in write buffer `buffer`.
        case filling(buffer: Int)
        /// Full; buffer `buffer` waits for the writer.
        case sealed(buffer: Int)
        /// The writer is writing buffer `buffer`.
        case writing(buffer: Int)
        case durable
        /// Its index entries are being removed; then it becomes free.
        case evicting
    }

    var phase: Phase = .free
    /// The region's place in write order; 0 while free.
    var sequence: UInt64 = 0
    /// Bytes written to it, header included.
    var length = 0

    /// The write buffer holding the region's bytes, while they are in memory.
    var buffer: Int? {
        switch phase {
        case .filling(let buffer), .sealed(let buffer), .writing(let buffer): buffer
        case .free, .durable, .evicting: nil
        }
    }
}
