import ArgumentParser
import Trove

/// A small working set rewritten over and over with values of changing sizes, in a budget
/// that holds it many times over: every key must still be there, with its last value.
struct RewriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite",
        abstract: "Check that a working set that fits the budget survives being rewritten with varying sizes.",
        discussion: """
            Rewrites --keys keys --rewrites times in all, each time with a value of 0 to --max-value-length \
            bytes, then reads every key back. Prints one JSON line; exits with status 1 if a put failed or \
            a key is missing or holds another value than the one last written.
            """
    )

    @Option(help: "Hot-tier budget in bytes.")
    var capacityBytes = 32 << 20

    @Option(help: "Keys in the working set.")
    var keys = 1000

    @Option(help: "Puts in all.")
    var rewrites = 1_000_000

    @Option(help: "The largest value in bytes; lengths are drawn uniformly from 0 to this.")
    var maxValueLength = 8192

    @Option(help: "Eviction policy: lru, s3fifo, wtinylfu or adaptive.")
    var policy: CacheOptions.Policy = .s3fifo

    func validate() throws {
        guard keys >= 1, rewrites >= keys, maxValueLength >= 0 else {
            throw ValidationError("need --keys >= 1, --rewrites >= --keys and --max-value-length >= 0")
        }
    }

    func run() throws {
        var options = CacheOptions(capacityBytes: capacityBytes)
        options.policy = policy
        let cache = try Cache(options: options)
        var lengths = [Int](repeating: 0, count: keys)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var failedPuts = 0
        for put in 0..<rewrites {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let key = put < keys ? put : Int(state % UInt64(keys))
            let length = Int((state >> 20) % UInt64(maxValueLength + 1))
            do {
                try cache.put(RewriteCommand.key(key), RewriteCommand.value(key, length: length))
                lengths[key] = length
            } catch {
                failedPuts += 1
            }
        }
        var missing = 0
        var wrong = 0
        for key in 0..<keys {
            guard let value = try cache.get(RewriteCommand.key(key)) else {
                missing += 1
                continue
            }
            if value != RewriteCommand.value(key, length: lengths[key]) { wrong += 1 }
        }
        let stats = try cache.statistics()
        print(
            "{\"workload\":\"rewrite\",\"policy\":\"\(policy.rawValue)\",\"capacity_bytes\":\(capacityBytes),"
                + "\"keys\":\(keys),\"rewrites\":\(rewrites),\"failed_puts\":\(failedPuts),\"missing\":\(missing),"
                + "\"wrong\":\(wrong),\"evictions\":\(stats.evictions),\"memory_bytes\":\(stats.memoryBytes)}"
        )
        StandardError.writeLine(
            "[trove] rewrite \(policy.rawValue): \(keys) keys rewritten \(rewrites) times; \(keys - missing) held,"
                + " \(missing) missing, \(wrong) wrong, \(failedPuts) failed puts, \(stats.evictions) evictions"
        )
        if failedPuts > 0 || missing > 0 || wrong > 0 { throw ExitCode(1) }
    }

    private static func key(_ id: Int) -> [UInt8] { Array("rewrite:\(id)".utf8) }

    private static func value(_ id: Int, length: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &+ id) }
    }
}
