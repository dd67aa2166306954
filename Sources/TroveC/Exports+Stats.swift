import CTroveABI
import TroveCore

@_cdecl("trove_stats")
public func trove_stats(
    _ handle: OpaquePointer?,
    _ out: UnsafeMutablePointer<trove_stats_t>?,
    _ outSize: UInt
) -> Int32 {
    withEngine(handle, "trove_stats") { engine in
        guard let out else { return LastError.fail(.invalidArgument, "trove_stats: out is NULL") }
        guard let stats = engine.statistics() else {
            return LastError.fail(.closed, "trove_stats: the handle is closed")
        }
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
            segment_size: stats.segmentSize,
            disk_state: stats.cold.map { $0.isHealthy ? 1 : 2 } ?? 0,
            disk_error: stats.cold?.failure?.status.rawValue ?? 0,
            disk_hits: stats.cold?.hits ?? 0,
            disk_misses: stats.cold?.misses ?? 0,
            disk_items: stats.cold?.items ?? 0,
            disk_index_bytes: stats.cold?.indexBytes ?? 0,
            disk_bytes_written: stats.cold?.bytesWritten ?? 0,
            disk_demoted_bytes: stats.cold?.demotedBytes ?? 0,
            disk_demotions: stats.cold?.demotions ?? 0,
            disk_dropped_demotions: stats.cold?.droppedDemotions ?? 0,
            disk_checksum_failures: stats.cold?.checksumFailures ?? 0,
            disk_read_errors: stats.cold?.readErrors ?? 0,
            disk_regions_evicted: stats.cold?.regionsEvicted ?? 0,
            disk_promotions: stats.cold?.promotions ?? 0,
            disk_recovered_items: stats.cold?.recoveredItems ?? 0,
            disk_recovery_ms: stats.cold?.recoveryMilliseconds ?? 0,
            disk_capacity_bytes: stats.cold?.capacityBytes ?? 0,
            predictions_checked: UInt64(stats.predictions.checked),
            predictions_correct: UInt64(stats.predictions.correct),
            predictions_reused: UInt64(stats.predictions.reused),
            loads: stats.loading.loads,
            load_failures: stats.loading.failures,
            load_waiters: stats.loading.coalesced,
            load_absent_hits: stats.loading.absentHits,
            load_time_ns: stats.loading.nanoseconds,
            removals_delivered: stats.removalsDelivered,
            removals_dropped: stats.removalsDropped,
            refreshes: stats.loading.refreshes,
            refresh_failures: stats.loading.refreshFailures,
            tag_invalidations: stats.tagInvalidations,
            tags: stats.tags,
            tagged_entries: stats.taggedKeys
        )
        // Copy only what the caller's (possibly older, shorter) struct has room for.
        let count = min(Int(clamping: outSize), MemoryLayout<trove_stats_t>.size)
        withUnsafeBytes(of: &snapshot) { source in
            UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: count)
        }
        return TroveStatus.ok.rawValue
    }
}

@_cdecl("trove_disk_error")
public func trove_disk_error(
    _ handle: OpaquePointer?,
    _ buffer: UnsafeMutablePointer<CChar>?,
    _ capacity: UInt
) -> Int32 {
    withEngine(handle, "trove_disk_error") { engine in
        guard let stats = engine.statistics() else { return report(.closed, "trove_disk_error") }
        guard let failure = stats.cold?.failure else {
            if let buffer, capacity > 0 { buffer[0] = 0 }
            return TroveStatus.ok.rawValue
        }
        if let buffer, capacity > 0 {
            var message = failure.message
            message.withUTF8 { utf8 in
                let count = min(utf8.count, Int(clamping: capacity) - 1)
                UnsafeMutableRawPointer(buffer).copyMemory(from: utf8.baseAddress!, byteCount: count)
                buffer[count] = 0
            }
        }
        return failure.status.rawValue
    }
}
