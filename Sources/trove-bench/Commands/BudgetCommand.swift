import ArgumentParser
import Trove

/// Distinct keys of one entry shape, many times the budget, checking the engine's memory promise:
/// resident growth within the budget plus a fixed overhead, no put refused for lack of memory,
/// and entries still held at the end.
struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Check that resident memory stays within the budget and that no put fails for lack of memory.",
        discussion: """
            Puts distinct keys of --key-length bytes with values whose lengths are drawn uniformly from \
            --value-lengths (a comma-separated list; `max` is the largest value one arena segment holds), \
            until --multiple times the budget has been written or --puts puts were made. Prints one JSON \
            line with the process's resident-memory growth (at the end and at its peak), the entries held \
            and the memory efficiency. Exits with status 1 if the peak growth exceeds --slack times the \
            budget plus --allowance bytes, if the engine ever accounted more than the budget, if any put \
            failed with anything but an entry too big for the cache, or if the cache ends empty.
            """
    )

    @Option(help: "Hot-tier budget in bytes.")
    var capacityBytes = 64 << 20

    @Option(help: "Bytes written (keys and values), as a multiple of the budget, when --puts is 0.")
    var multiple = 8

    @Option(help: "Puts to make; 0 to write --multiple times the budget instead.")
    var puts = 0

    @Option(help: "Key length in bytes (1 to 1024).")
    var keyLength = 16

    @Option(help: "Value lengths to draw from uniformly, comma-separated; `max` is the largest that fits a segment.")
    var valueLengths = CommaSeparatedList<ValueLength>([
        .bytes(32), .bytes(100), .bytes(1000), .bytes(4000), .bytes(20000),
    ])

    @Option(help: "Time to live of every entry in milliseconds; 0 for none.")
    var ttlMilliseconds = 0

    @Option(help: "Resident growth allowed, as a multiple of the budget, before --allowance.")
    var slack = 1.10

    @Option(help: "Resident bytes allowed beyond slack times the budget (the documented fixed overhead).")
    var allowance = 4 << 20

    @Option(help: "Eviction policy: lru, s3fifo, wtinylfu or adaptive.")
    var policy: CacheOptions.Policy = .s3fifo

    func validate() throws {
        try CacheFlagValidation.checkBudget(capacityBytes)
        guard multiple >= 1 else { throw ValidationError("--multiple must be at least 1") }
        guard (1...1024).contains(keyLength) else { throw ValidationError("--key-length must be 1 to 1024") }
        guard puts >= 0, ttlMilliseconds >= 0 else {
            throw ValidationError("--puts and --ttl-milliseconds must be >= 0")
        }
        try valueLengths.validate("--value-lengths", expected: "lengths >= 0 or `max`") { $0.resolved(largest: 0) >= 0 }
    }

    func run() throws {
        var options = CacheOptions(capacityBytes: capacityBytes)
        options.policy = policy
        let before = ProcessMetrics.residentBytes()
        ProcessMetrics.resetPeakResident()
        let cache = try Cache(options: options)
        // The largest header is 14 bytes (HotTierGeometry's rule), so `max` fits whatever the value's header.
        let largest = try cache.statistics().segmentSize - 14 - keyLength
        let sizes = valueLengths.values.map { $0.resolved(largest: largest) }
        let values = [UInt8](repeating: 0x61, count: sizes.max() ?? 0)
        let timeToLive: Duration? = ttlMilliseconds > 0 ? .milliseconds(ttlMilliseconds) : nil
        let key = UnsafeMutableRawBufferPointer.allocate(byteCount: keyLength, alignment: 8)
        defer { key.deallocate() }
        key.initializeMemory(as: UInt8.self, repeating: 0x6B)
        var written = 0
        var id: UInt64 = 0
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        var failures: [TroveError.Code: Int] = [:]
        var peakMemoryBytes: UInt64 = 0
        try values.withUnsafeBytes { valueBytes in
            while puts > 0 ? id < UInt64(puts) : written < multiple * capacityBytes {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let length = sizes[Int(state % UInt64(sizes.count))]
                BudgetCommand.writeKey(id, to: key)
                do throws(TroveError) {
                    let value = UnsafeRawBufferPointer(rebasing: valueBytes[..<length])
                    try cache.put(UnsafeRawBufferPointer(key), value, timeToLive: timeToLive)
                } catch {
                    failures[error.code, default: 0] += 1
                }
                written += keyLength + length
                id += 1
                if id % 4096 == 0 { peakMemoryBytes = max(peakMemoryBytes, try cache.statistics().memoryBytes) }
            }
        }
        let growth = Int(ProcessMetrics.residentBytes()) - Int(before)
        let peakGrowth = max(Int(ProcessMetrics.peakResidentBytes()) - Int(before), growth)
        let stats = try cache.statistics()
        peakMemoryBytes = max(peakMemoryBytes, stats.memoryBytes)
        let refused = failures.filter { $0.key != .tooBig }.values.reduce(0, +)
        let limit = Int(Double(capacityBytes) * slack) + allowance
        let efficiency = growth > 0 ? Double(stats.payloadBytes) / Double(growth) : 0
        print(
            "{\"workload\":\"budget\",\"policy\":\"\(policy.rawValue)\",\"capacity_bytes\":\(capacityBytes),"
                + "\"key_length\":\(keyLength),\"value_lengths\":\"\(valueLengths)\",\"ttl_ms\":\(ttlMilliseconds),"
                + "\"puts\":\(id),\"written_bytes\":\(written),\"rss_growth_bytes\":\(growth),"
                + "\"rss_peak_growth_bytes\":\(peakGrowth),\"memory_bytes\":\(stats.memoryBytes),"
                + "\"peak_memory_bytes\":\(peakMemoryBytes),\"index_bytes\":\(stats.indexBytes),"
                + "\"payload_bytes\":\(stats.payloadBytes),\"items\":\(stats.items),\"evictions\":\(stats.evictions),"
                + "\"failed_puts\":\(refused),\"too_big_puts\":\(failures[.tooBig] ?? 0),"
                + "\"memory_efficiency\":\(PrintfFormat.render("%.3f", efficiency)),"
                + "\"within_budget\":\(peakGrowth <= limit)}"
        )
        StandardError.writeLine(
            "[trove] budget \(capacityBytes) bytes, \(policy.rawValue), key \(keyLength) B, values \(valueLengths):"
                + " \(id) puts; resident memory grew by \(growth) bytes (peak \(peakGrowth),"
                + " \(PrintfFormat.render("%.3f", Double(peakGrowth) / Double(capacityBytes))) of the budget);"
                + " engine accounts \(stats.memoryBytes) bytes (peak \(peakMemoryBytes)), \(stats.items) entries,"
                + " memory efficiency \(PrintfFormat.render("%.3f", efficiency))"
        )
        var problems: [String] = []
        if peakGrowth > limit {
            problems.append("resident memory grew past \(slack) x the budget + \(allowance) bytes")
        }
        if peakMemoryBytes > UInt64(capacityBytes) { problems.append("the engine accounted more than its budget") }
        if refused > 0 { problems.append("\(refused) puts failed: \(failures)") }
        if stats.items == 0 { problems.append("the cache ended empty") }
        if !problems.isEmpty {
            StandardError.writeLine("[trove] budget check failed: " + problems.joined(separator: "; "))
            throw ExitCode(1)
        }
    }

    /// Key `id`: its 8 little-endian bytes (as many as fit), the rest of the key left as it is.
    private static func writeKey(_ id: UInt64, to key: UnsafeMutableRawBufferPointer) {
        for index in 0..<min(key.count, 8) {
            key[index] = UInt8(truncatingIfNeeded: id >> (8 * UInt64(index)))
        }
    }
}
