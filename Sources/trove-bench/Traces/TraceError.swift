/// What went wrong reading a trace, where, and what to do about it.
enum TraceError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened; `reason` is the system's.
    case cannotOpen(path: String, reason: String)
    /// Reading the file failed after it was opened.
    case readFailed(path: String, reason: String)
    /// Neither the name nor `--format` says what the file holds.
    case unknownFormat(path: String)
    /// The data ends inside an oracleGeneral record: `bytes` of the record's 24 were there.
    ///
    /// `record` is the 1-based number of the incomplete record and `offset` its byte offset in the uncompressed data.
    case truncatedRecord(path: String, record: Int, offset: UInt64, bytes: Int)
    /// libzstd rejected the data at byte `offset` of the compressed file.
    case corruptCompressedData(path: String, offset: UInt64, reason: String)
    /// The compressed file ends inside a zstd frame (or holds no frame at all).
    case truncatedCompressedData(path: String, offset: UInt64)
    /// A CSV line is not `timestamp,key,size`; `line` is 1-based.
    case badCSVLine(path: String, line: Int, reason: String)
    /// A directory of traces could not be listed.
    case cannotListDirectory(path: String, reason: String)

    /// One line saying what went wrong, where, and what to do.
    var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open trace '\(path)': \(reason); check the path and its permissions"
        case .readFailed(let path, let reason):
            "reading '\(path)' failed: \(reason)"
        case .unknownFormat(let path):
            "cannot tell the format of '\(path)' from its name (expected *.oracleGeneral*, *.bin or *.csv, optionally"
                + " followed by .zst); pass --format oracle or --format csv"
        case .truncatedRecord(let path, let record, let offset, let bytes):
            "'\(path)' ends inside record \(record): only \(bytes) of its 24 bytes follow offset \(offset) of the"
                + " uncompressed data; the file is cut short or is not oracleGeneral (pass --format csv for CSV)"
        case .corruptCompressedData(let path, let offset, let reason):
            "'\(path)' is not valid zstd data near compressed byte \(offset) (\(reason)); check it with `zstd -t`,"
                + " or rename it without .zst if it is not compressed"
        case .truncatedCompressedData(let path, let offset):
            "'\(path)' ends inside a zstd frame after \(offset) compressed bytes; the file is cut short"
                + " (check it with `zstd -t`)"
        case .badCSVLine(let path, let line, let reason):
            "\(path):\(line): \(reason); each line must be `timestamp,key,size` with decimal timestamp and size"
        case .cannotListDirectory(let path, let reason):
            "cannot list trace directory '\(path)': \(reason); check the path"
        }
    }
}
