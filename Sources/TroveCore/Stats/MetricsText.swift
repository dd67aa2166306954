/// The engine's statistics in the Prometheus text exposition format (version 0.0.4).
///
/// One `# HELP`, one `# TYPE` and one sample per metric, all prefixed `trove_`, so a
/// service can serve them on its `/metrics` endpoint as they are.
package enum MetricsText {
    /// Renders `stats`.
    package static func render(_ stats: EngineStatistics) -> String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: UInt64) {
            text += "# HELP trove_\(name) \(help)\n# TYPE trove_\(name) \(type)\ntrove_\(name) \(value)\n"
        }
        metric("hits_total", "counter", "Gets that found a value.", stats.hits)
        metric("misses_total", "counter", "Gets that found nothing.", stats.misses)
        metric("puts_total", "counter", "Successful puts.", stats.puts)
        metric("deletes_total", "counter", "Entries removed by delete or invalidation.", stats.deletes)
        metric("evictions_total", "counter", "Entries the policy removed to make room.", stats.evictions)
        metric("expirations_total", "counter", "Entries removed because their TTL passed.", stats.expirations)
        metric("reinsertions_total", "counter", "Entries the policy kept by moving them.", stats.reinsertions)
        metric("items", "gauge", "Entries in memory.", stats.items)
        metric("payload_bytes", "gauge", "Key and value bytes of the entries in memory.", stats.payloadBytes)
        metric("memory_bytes", "gauge", "Bytes of the memory budget in use.", stats.memoryBytes)
        metric("metadata_bytes", "gauge", "Of memory_bytes, index tables and policy metadata.", stats.indexBytes)
        metric("capacity_bytes", "gauge", "The memory budget.", stats.capacityBytes)
        let loading = stats.loading
        metric("loads_total", "counter", "Loader calls (read-through loads).", loading.loads)
        metric("load_failures_total", "counter", "Loader calls that failed; nothing was cached.", loading.failures)
        metric("load_waiters_total", "counter", "Misses that waited for another caller's load.", loading.coalesced)
        metric("load_absent_hits_total", "counter", "Misses answered from remembered absent keys.", loading.absentHits)
        metric("refreshes_total", "counter", "Background reloads (refresh-ahead).", loading.refreshes)
        metric("refresh_failures_total", "counter", "Background reloads that failed.", loading.refreshFailures)
        metric("tag_invalidations_total", "counter", "Tag invalidations.", stats.tagInvalidations)
        metric("tags", "gauge", "Tags carried by at least one entry.", stats.tags)
        metric("tagged_entries", "gauge", "Entries carrying at least one tag.", stats.taggedKeys)
        text += "# HELP trove_load_seconds Time spent in loaders.\n# TYPE trove_load_seconds histogram\n"
        var cumulative: UInt64 = 0
        for (bound, count) in zip(LoadStatistics.bucketBounds, loading.durationBuckets) {
            cumulative += count
            text += "trove_load_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        // +Inf and _count from the buckets themselves, so they agree however the counters raced.
        let count = loading.durationBuckets.reduce(0, +)
        text += "trove_load_seconds_bucket{le=\"+Inf\"} \(count)\n"
        text += "trove_load_seconds_sum \(Double(loading.nanoseconds) / 1e9)\n"
        text += "trove_load_seconds_count \(count)\n"
        return text
    }
}
