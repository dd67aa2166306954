import Glibc

/// A folder of traces, as trace-suite reads it: the `*.oracleGeneral.bin.zst` files and an optional README.md.
enum TraceDirectory {
    /// The ending of the trace files trace-suite replays.
    static let traceSuffix = ".oracleGeneral.bin.zst"

    /// The paths of the `*.oracleGeneral.bin.zst` files directly in `directory`, sorted by name.
    ///
    /// - Throws: `TraceError.cannotListDirectory` when the folder cannot be read.
    static func traceFiles(in directory: String) throws(TraceError) -> [String] {
        guard let handle = opendir(directory) else {
            throw .cannotListDirectory(path: directory, reason: FileByteSource.systemMessage(errno))
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(traceSuffix) && name.count > traceSuffix.count { names.append(name) }
        }
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        return names.sorted().map { folder + $0 }
    }

    /// The text of `directory/README.md`, or `nil` if there is none or it cannot be read.
    ///
    /// - Complexity: Reads the whole file; meant for a page of notes, not for data.
    static func readme(in directory: String) -> String? {
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        guard let file = try? FileByteSource(path: folder + "README.md") else { return nil }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { try? file.read(into: $0) }
            guard let count, count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
