import ArgumentParser

/// The record formats trove-bench replays.
///
/// Compression is separate from the format: a name ending in `.zst` is decompressed with libzstd as it is read,
/// whatever the format.
enum TraceFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// libCacheSim's `oracleGeneral` binary records (see `OracleGeneralReader`).
    case oracle
    /// Plain text lines `timestamp,key,size` (see `CSVTraceReader`).
    case csv

    /// The format a file's name implies: `*.csv` is CSV; `*.bin` or a name containing `oracleGeneral` is
    /// oracleGeneral; a trailing `.zst` is ignored for this. `nil` when the name says neither.
    static func detect(fromName path: String) -> TraceFormat? {
        let name = TraceFormat.uncompressedName(path)
        if name.hasSuffix(".csv") { return .csv }
        if name.hasSuffix(".bin") || name.contains("oracleGeneral") { return .oracle }
        return nil
    }

    /// Whether a file's name says it is zstd-compressed (it ends in `.zst`).
    static func isCompressed(_ path: String) -> Bool {
        path.hasSuffix(".zst")
    }

    /// A short name for a trace file: the file name without its folder and without the `.zst`, `.csv`, `.bin` and
    /// `.oracleGeneral` endings, e.g. `twitter_cluster52` for `traces/twitter_cluster52.oracleGeneral.bin.zst`.
    static func traceName(_ path: String) -> String {
        var name = Substring(uncompressedName(path))
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        for suffix in [".csv", ".bin", ".oracleGeneral"] where name.hasSuffix(suffix) && name.count > suffix.count {
            name = name.dropLast(suffix.count)
        }
        return String(name)
    }

    private static func uncompressedName(_ path: String) -> String {
        isCompressed(path) ? String(path.dropLast(4)) : path
    }
}
