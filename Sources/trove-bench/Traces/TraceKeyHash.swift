/// Turns a CSV trace's key, which may be any string, into the 64-bit object id replay uses.
///
/// 64-bit FNV-1a over the key's bytes as they appear in the file: stable across runs, machines and files, so the same
/// key always replays as the same object. Two distinct keys collide with probability about n²/2⁶⁵ for n distinct keys
/// (3·10⁻⁸ for a million), and a collision merges them into one object; that is the price of not keeping a table of
/// every key seen.
enum TraceKeyHash {
    private static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The object id of the key `bytes`.
    ///
    /// - Complexity: O(`bytes.count`), no allocation.
    static func objectID(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* prime
        }
        return hash
    }
}
