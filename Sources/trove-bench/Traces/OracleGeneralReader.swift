/// Reads libCacheSim's `oracleGeneral` records: 24 bytes each, little-endian, no header.
///
/// ```
/// offset 0   uint32  timestamp
/// offset 4   uint64  object id
/// offset 12  uint32  object size in bytes
/// offset 16  int64   1-based request number of the next request to the same object, -1 for none
/// ```
final class OracleGeneralReader: TraceReader {
    /// Bytes per record.
    static let recordLength = 24

    private let input: TraceInput
    private var records = 0

    var path: String { input.path }

    /// Reads records from `source` (a plain file, or a decompressing one).
    init(source: any TraceByteSource) {
        input = TraceInput(source: source, capacity: OracleGeneralReader.recordLength << 14)
    }

    /// The next record.
    ///
    /// - Returns: The record, or `nil` when the data ends at a record boundary.
    /// - Throws: `TraceError.truncatedRecord` when it ends inside one, or the source's error.
    /// - Complexity: O(1) amortized; one read per 16,384 records.
    func next() throws(TraceError) -> TraceRequest? {
        var bytes = input.unread
        while bytes.count < OracleGeneralReader.recordLength {
            guard try input.refill() else {
                guard bytes.isEmpty else {
                    throw .truncatedRecord(path: path, record: records + 1, offset: input.offset, bytes: bytes.count)
                }
                return nil
            }
            bytes = input.unread
        }
        let request = TraceRequest(
            timestamp: UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))),
            objectID: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt64.self)),
            size: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self)),
            nextAccess: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: Int64.self))
        )
        input.consume(OracleGeneralReader.recordLength)
        records += 1
        return request
    }
}
