import CZstd
import Foundation

@testable import trove_bench

/// A temporary folder for trace files, removed when the value is released.
final class TraceFolder {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trove-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` in the folder and returns the file's path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// Builders of trace bytes: oracleGeneral records, CSV text, and zstd frames made with libzstd.
enum TraceBytes {
    /// The 24-byte little-endian oracleGeneral encoding of `requests`.
    static func oracle(_ requests: [TraceRequest]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(requests.count * 24)
        for request in requests {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: request.timestamp).littleEndian) { bytes += $0 }
            withUnsafeBytes(of: request.objectID.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: request.size.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: request.nextAccess.littleEndian) { bytes += $0 }
        }
        return bytes
    }

    /// One zstd frame holding `bytes`, compressed by libzstd at level 3.
    static func zstd(_ bytes: [UInt8]) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let size = frame.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                ZSTD_compress(destination.baseAddress, destination.count, source.baseAddress, source.count, 3)
            }
        }
        precondition(ZSTD_isError(size) == 0, "ZSTD_compress failed in a test fixture")
        return Array(frame[..<size])
    }

    /// `count` requests with varied fields, including the extremes of each.
    static func sampleRequests(count: Int) -> [TraceRequest] {
        (0..<count).map { index in
            let i = UInt64(index)
            return TraceRequest(
                timestamp: index == 1 ? UInt64(UInt32.max) : i / 3,
                objectID: index == 2 ? UInt64.max : (i &* 0x9E37_79B9_7F4A_7C15) >> 20,
                size: index == 3 ? UInt32.max : UInt32(truncatingIfNeeded: i % 5000 + 1),
                nextAccess: index % 7 == 0 ? -1 : Int64(index + 5)
            )
        }
    }
}

/// Reads every request of `reader`.
func readAll(_ reader: any TraceReader) throws -> [TraceRequest] {
    var requests: [TraceRequest] = []
    while let request = try reader.next() {
        requests.append(request)
    }
    return requests
}
