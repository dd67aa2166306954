import CTroveABI
import TroveCore

@_cdecl("trove_stats")
public func trove_stats(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<trove_stats_t>?, _ outSize: UInt) -> Int32 {
    withEngine(handle, "trove_stats") { engine in
        guard let out else { return LastError.fail(.invalidArgument, "trove_stats: out is NULL") }
        guard let stats = engine.statistics() else { return LastError.fail(.closed, "trove_stats: the handle is closed") }
        var snapshot = trove_stats_t(
            hits: stats.hits,
            misses: stats.misses,
            puts: stats.puts,
            deletes: stats.deletes,
            evictions: stats.evictions,
            expirations: stats.expirations,
            reinsertions: stats.reinsertions,
            items: stats.items,
            payload_bytes: stats.payloadBytes,
            memory_bytes: stats.memoryBytes,
            index_bytes: stats.indexBytes,
            capacity_bytes: stats.capacityBytes,
            stripes: stats.stripes,
            segment_size: stats.segmentSize
        )
        // Copy only what the caller's (possibly older, shorter) struct has room for.
        let count = min(Int(clamping: outSize), MemoryLayout<trove_stats_t>.size)
        withUnsafeBytes(of: &snapshot) { source in
            UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: count)
        }
        return TroveStatus.ok.rawValue
    }
}
