import Trove

/// The engine's own statistics after a workload, printed to stderr.
struct StatisticsReport {
    /// The numbers the report shows, from either API.
    struct Source {
        var hits, misses, puts, evictions, items, payloadBytes, memoryBytes, indexBytes, capacityBytes: UInt64
        var stripes, segmentSize: Int
    }

    let source: Source

    init(_ source: Source) {
        self.source = source
    }

    init(_ stats: CacheStatistics) {
        source = Source(
            hits: stats.hits,
            misses: stats.misses,
            puts: stats.puts,
            evictions: stats.evictions,
            items: stats.items,
            payloadBytes: stats.payloadBytes,
            memoryBytes: stats.memoryBytes,
            indexBytes: stats.indexBytes,
            capacityBytes: stats.capacityBytes,
            stripes: stats.stripes,
            segmentSize: stats.segmentSize
        )
    }

    func print() {
        let gets = source.hits + source.misses
        let hitRatio = gets == 0 ? 0 : Double(source.hits) / Double(gets)
        let perEntry = source.items == 0 ? 0 : Double(source.indexBytes) / Double(source.items)
        let lines = [
            "[trove] engine: \(source.items) items, \(source.payloadBytes) payload bytes,"
                + " \(source.memoryBytes) of \(source.capacityBytes) budget bytes in use",
            "[trove] index: \(source.indexBytes) bytes (\(PrintfFormat.render("%.1f", perEntry)) per entry),"
                + " \(source.stripes) stripes, \(source.segmentSize)-byte segments",
            "[trove] gets: \(gets), hit ratio \(PrintfFormat.render("%.4f", hitRatio)); puts: \(source.puts);"
                + " evictions: \(source.evictions)",
        ]
        for line in lines {
            StandardError.writeLine(line)
        }
    }
}
