import CTroveABI
import Trove

/// The peer workload's target through the C ABI: the `trove_*` functions as declared in include/trove.h.
///
/// `@unchecked Sendable` because the handle is an immutable token and every `trove_*` function is thread-safe.
final class CTarget: PeerTarget, @unchecked Sendable {
    let handle: OpaquePointer

    init(options: CacheOptions) throws {
        var raw = trove_options_t()
        trove_options_init(&raw)
        raw.capacity_bytes = UInt64(options.capacityBytes)
        raw.max_items = UInt64(options.maximumItems ?? 0)
        raw.stripes = UInt32(options.stripes ?? 0)
        var opened: OpaquePointer?
        let status = options.policy.rawValue.withCString { policy in
            raw.policy = policy
            return trove_open(&raw, &opened)
        }
        guard status == TROVE_OK, let opened else {
            throw TroveError(.invalidArgument, "trove_open failed: \(String(cString: trove_last_error()))")
        }
        handle = opened
    }

    deinit {
        _ = trove_close(handle)
    }

    func get(key: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var length = 0
        return trove_get(handle, key.baseAddress, key.count, buffer.baseAddress, buffer.count, &length) == TROVE_OK
    }

    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let status = trove_put(handle, key.baseAddress, key.count, value.baseAddress, value.count, 0)
        if status != TROVE_OK {
            fatalError("trove-bench: trove_put failed: \(String(cString: trove_last_error()))")
        }
    }

    var residentCount: Int {
        var stats = trove_stats_t()
        guard trove_stats(handle, &stats, MemoryLayout<trove_stats_t>.size) == TROVE_OK else { return 0 }
        return Int(stats.items)
    }

    func statistics() throws -> StatisticsReport.Source {
        var stats = trove_stats_t()
        guard trove_stats(handle, &stats, MemoryLayout<trove_stats_t>.size) == TROVE_OK else {
            throw TroveError(.closed, String(cString: trove_last_error()))
        }
        return StatisticsReport.Source(
            hits: stats.hits,
            misses: stats.misses,
            puts: stats.puts,
            evictions: stats.evictions,
            items: stats.items,
            payloadBytes: stats.payload_bytes,
            memoryBytes: stats.memory_bytes,
            indexBytes: stats.index_bytes,
            capacityBytes: stats.capacity_bytes,
            stripes: Int(stats.stripes),
            segmentSize: Int(stats.segment_size)
        )
    }
}
