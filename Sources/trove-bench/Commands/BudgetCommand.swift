import ArgumentParser
import Trove

/// A write-heavy workload of mixed value sizes, many times the budget, that checks the
/// process's resident memory stays within the budget plus the documented fixed overhead.
struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Check that resident memory stays within the budget under a write-heavy, mixed-size workload.",
        discussion: """
            Writes values of 32 B to 20 KB (uniformly mixed) totalling --multiple times the budget, then \
            prints one JSON line with the process's resident-memory growth. Exits with status 1 if the \
            growth exceeds the budget plus --allowance bytes of fixed overhead.
            """
    )

    @Option(help: "Hot-tier budget in bytes.")
    var capacityBytes = 64 << 20

    @Option(help: "Bytes written, as a multiple of the budget.")
    var multiple = 8

    @Option(help: "Resident bytes allowed beyond the budget (fixed overhead: counters, stripe headers, runtime).")
    var allowance = 8 << 20

    @Option(help: "Eviction policy: lru, s3fifo, wtinylfu or adaptive.")
    var policy: CacheOptions.Policy = .s3fifo

    func validate() throws {
        guard capacityBytes >= 1 << 20 else { throw ValidationError("--capacity-bytes must be at least 1048576") }
        guard multiple >= 1 else { throw ValidationError("--multiple must be at least 1") }
    }

    func run() throws {
        let sizes = [32, 100, 1000, 4000, 20_000]
        let values = [UInt8](repeating: 0x61, count: sizes.max() ?? 0)
        var options = CacheOptions(capacityBytes: capacityBytes)
        options.policy = policy
        let before = ProcessMetrics.residentBytes()
        let cache = try Cache(options: options)
        var key = [UInt8](repeating: 0, count: 16)
        var written = 0
        var id: UInt64 = 0
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        try values.withUnsafeBytes { valueBytes in
            while written < multiple * capacityBytes {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let length = sizes[Int(state % UInt64(sizes.count))]
                WorkloadKeys.writeKey(id, to: &key)
                try key.withUnsafeBytes { try cache.put($0, UnsafeRawBufferPointer(rebasing: valueBytes[..<length])) }
                written += length
                id += 1
            }
        }
        let growth = Int(ProcessMetrics.residentBytes()) - Int(before)
        let stats = try cache.statistics()
        let within = growth <= capacityBytes + allowance
        print(
            "{\"workload\":\"budget\",\"capacity_bytes\":\(capacityBytes),\"written_bytes\":\(written),"
                + "\"rss_growth_bytes\":\(growth),\"memory_bytes\":\(stats.memoryBytes),"
                + "\"payload_bytes\":\(stats.payloadBytes),\"items\":\(stats.items),\"evictions\":\(stats.evictions),"
                + "\"policy\":\"\(policy.rawValue)\",\"within_budget\":\(within)}"
        )
        StandardError.writeLine(
            "[trove] budget \(capacityBytes) bytes: wrote \(written) bytes in \(id) puts; resident memory grew by"
                + " \(growth) bytes (\(PrintfFormat.render("%.3f", Double(growth) / Double(capacityBytes))) of the budget);"
                + " engine accounts \(stats.memoryBytes) bytes, \(stats.payloadBytes) of them payload"
        )
        if !within {
            StandardError.writeLine("[trove] resident memory exceeded the budget plus \(allowance) bytes")
            throw ExitCode(1)
        }
    }
}
