import ArgumentParser
import CTroveABI
import Foundation
import Trove

/// Batched writes against the single calls they replace, through the C ABI: `--entries`
/// `trove_put` calls against one `trove_put_many` of as many entries, and the same for deletes.
///
/// Both sides write fresh keys of one shape (each round deletes what it put), so they do the
/// same work in the engine; what differs is what a batch saves: a call, a handle lookup and
/// an in-flight mark per entry, and a stripe lock per entry of the same stripe. The two sides
/// alternate which goes first, round by round, so a drift of the machine's speed during the
/// run (this VM's varies by up to 2x) falls on both.
struct BulkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulk",
        abstract: "Time trove_put_many and trove_delete_many against as many trove_put and trove_delete calls.",
        discussion: """
            Each of --rounds rounds (after --warm-up rounds not counted) times --entries trove_put calls and \
            one trove_put_many of --entries other keys, in alternating order, then deletes both sets the same \
            two ways. Prints a table of the medians to stderr and one JSON line per operation to stdout; \
            exits with status 1 if any write failed.
            """
    )

    @Option(help: "Entries per batch, and single calls per round on the other side.")
    var entries = 100

    @Option(help: "Rounds measured.")
    var rounds = 200

    @Option(help: "Rounds run first and not counted (page faults, index growth, branch predictors).")
    var warmUp = 20

    @Option(help: "Value length in bytes.")
    var valueLength = 64

    @Option(help: "Hot-tier budget in bytes.")
    var capacityBytes = 64 << 20

    @Option(help: "Lock stripes, a power of two up to 1024; 0 for the library's default (8 per core).")
    var stripes = 0

    func validate() throws {
        guard entries >= 1, rounds >= 1, warmUp >= 0, valueLength >= 0 else {
            throw ValidationError("need --entries >= 1, --rounds >= 1, --warm-up >= 0 and --value-length >= 0")
        }
        try CacheFlagValidation.checkBudget(capacityBytes)
        if stripes != 0 { try CacheFlagValidation.checkStripes(stripes) }
    }

    /// What a round times, both ways.
    enum Operation: String, CaseIterable {
        case put
        case delete
    }

    /// The median nanoseconds of each side of one operation, over the measured rounds.
    struct Result {
        var operation: Operation
        var singleCalls: UInt64
        var batchCall: UInt64

        var speedup: Double { Double(singleCalls) / Double(max(batchCall, 1)) }
    }

    func run() throws {
        let handle = try open()
        defer { _ = trove_close(handle) }
        let singles = EntryArrays(prefix: "single", count: entries, valueLength: valueLength)
        let batch = EntryArrays(prefix: "batch", count: entries, valueLength: valueLength)
        var singleSamples: [Operation: [UInt64]] = [:]
        var batchSamples: [Operation: [UInt64]] = [:]
        var failures = 0
        for round in 0..<(warmUp + rounds) {
            for operation in Operation.allCases {
                var single: UInt64 = 0
                var batched: UInt64 = 0
                for singlesNow in round % 2 == 0 ? [true, false] : [false, true] {
                    let start = ProcessMetrics.nanoseconds()
                    let failed = singlesNow ? singles.single(operation, handle) : batch.batched(operation, handle)
                    let elapsed = ProcessMetrics.nanoseconds() &- start
                    failures += failed
                    if singlesNow { single = elapsed } else { batched = elapsed }
                }
                guard round >= warmUp else { continue }
                singleSamples[operation, default: []].append(single)
                batchSamples[operation, default: []].append(batched)
            }
        }
        let results = Operation.allCases.map { operation in
            Result(
                operation: operation,
                singleCalls: BulkCommand.median(singleSamples[operation, default: []]),
                batchCall: BulkCommand.median(batchSamples[operation, default: []])
            )
        }
        report(results)
        if failures > 0 {
            StandardError.writeLine("[trove] bulk: \(failures) writes failed: \(String(cString: trove_last_error()))")
            throw ExitCode(1)
        }
    }

    private func open() throws -> OpaquePointer {
        var raw = trove_options_t()
        trove_options_init(&raw)
        raw.capacity_bytes = UInt64(capacityBytes)
        raw.stripes = UInt32(stripes)
        var opened: OpaquePointer?
        guard trove_open(&raw, &opened) == TROVE_OK, let opened else {
            throw TroveError(.invalidArgument, "trove_open failed: \(String(cString: trove_last_error()))")
        }
        return opened
    }

    private func report(_ results: [Result]) {
        StandardError.writeLine(
            "[trove] bulk: \(entries) entries per batch, \(valueLength)-byte values, median ns of \(rounds) rounds"
        )
        StandardError.writeLine(
            BulkCommand.row("operation", "\(entries) single calls", "one batch call", "batch speedup")
        )
        for result in results {
            StandardError.writeLine(
                BulkCommand.row(
                    result.operation.rawValue,
                    "\(result.singleCalls)",
                    "\(result.batchCall)",
                    String(format: "%.2fx", result.speedup)
                )
            )
            print(
                "{\"workload\":\"bulk\",\"operation\":\"\(result.operation.rawValue)\",\"entries\":\(entries),"
                    + "\"value_length\":\(valueLength),\"rounds\":\(rounds),\"stripes\":\(stripes),"
                    + "\"single_calls_ns\":\(result.singleCalls),\"batch_call_ns\":\(result.batchCall),"
                    + "\"speedup\":\(String(format: "%.3f", result.speedup))}"
            )
        }
    }

    private static func row(_ operation: String, _ single: String, _ batch: String, _ speedup: String) -> String {
        operation.padding(toLength: 10, withPad: " ", startingAt: 0)
            + String(repeating: " ", count: max(18 - single.count, 0)) + single
            + String(repeating: " ", count: max(16 - batch.count, 0)) + batch
            + String(repeating: " ", count: max(15 - speedup.count, 0)) + speedup
    }

    private static func median(_ samples: [UInt64]) -> UInt64 {
        samples.sorted()[samples.count / 2]
    }
}

/// Keys and values laid out as `trove_put_many` takes them, in memory of their own, made once
/// so that no timing includes building them.
private final class EntryArrays {
    let count: Int
    let bytes: UnsafeMutableRawPointer
    let keys: UnsafeMutablePointer<UnsafeRawPointer?>
    let keyLengths: UnsafeMutablePointer<Int>
    let values: UnsafeMutablePointer<UnsafeRawPointer?>
    let valueLengths: UnsafeMutablePointer<Int>
    let statuses: UnsafeMutablePointer<Int32>

    init(prefix: String, count: Int, valueLength: Int) {
        self.count = count
        let keyBytes = (0..<count).map { Array("bulk:\(prefix):\($0)".utf8) }
        bytes = .allocate(byteCount: keyBytes.reduce(0) { $0 + $1.count } + count * valueLength, alignment: 8)
        keys = .allocate(capacity: count)
        keyLengths = .allocate(capacity: count)
        values = .allocate(capacity: count)
        valueLengths = .allocate(capacity: count)
        statuses = .allocate(capacity: count)
        var next = bytes
        for (index, key) in keyBytes.enumerated() {
            next.copyMemory(from: key, byteCount: key.count)
            keys[index] = UnsafeRawPointer(next)
            keyLengths[index] = key.count
            next += key.count
            for offset in 0..<valueLength {
                next.storeBytes(of: UInt8(truncatingIfNeeded: offset &+ index), toByteOffset: offset, as: UInt8.self)
            }
            values[index] = UnsafeRawPointer(next)
            valueLengths[index] = valueLength
            next += valueLength
        }
    }

    deinit {
        bytes.deallocate()
        keys.deallocate()
        keyLengths.deallocate()
        values.deallocate()
        valueLengths.deallocate()
        statuses.deallocate()
    }

    /// Puts or deletes every entry with a call each; returns how many calls failed.
    func single(_ operation: BulkCommand.Operation, _ handle: OpaquePointer) -> Int {
        var failed = 0
        switch operation {
        case .put:
            for index in 0..<count
            where trove_put(handle, keys[index], keyLengths[index], values[index], valueLengths[index], 0) != TROVE_OK {
                failed += 1
            }
        case .delete:
            for index in 0..<count where trove_delete(handle, keys[index], keyLengths[index]) != TROVE_OK {
                failed += 1
            }
        }
        return failed
    }

    /// Puts or deletes every entry with one batched call; returns how many entries failed.
    func batched(_ operation: BulkCommand.Operation, _ handle: OpaquePointer) -> Int {
        let status =
            switch operation {
            case .put: trove_put_many(handle, count, keys, keyLengths, values, valueLengths, 0, statuses)
            case .delete: trove_delete_many(handle, count, keys, keyLengths, statuses)
            }
        guard status == TROVE_OK else { return count }
        return (0..<count).count(where: { statuses[$0] != TROVE_OK })
    }
}
