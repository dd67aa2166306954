import ArgumentParser
import Foundation

/// Opens, fills, reads back and closes many caches in one process, checking the promise that
/// closing gives everything back: what the process holds (descriptors, mappings, threads,
/// resident memory) after the last cycle is what it held after the first few.
///
/// The limits are on growth between the reading after `--warm-up` cycles and the end, and
/// do not scale with `--cycles`: a leak does (before the fix, through the C ABI, a disk cache
/// left 10 descriptors, 28 mappings and 450 KB resident per cycle; a memory-only one 20 KB),
/// so 1000 cycles show a leak of one descriptor, one thread or 8 KiB per cycle (and of one
/// mapping, unless the kernel merges it into a neighbour). What the limits allow is what a
/// process takes once, late, and keeps:
/// - 4 descriptors: none is expected (an engine opens its files, rings and lock at open and
///   closes them at close); the slack is for a library opening something on first use.
/// - 2 threads: none is expected (the disk tier's writer is joined at close); the slack is
///   for a runtime helper thread started on first use.
/// - 16 mappings: glibc's malloc maps a new arena for a thread that allocates while the others
///   are taken, and a heap's mappings split and merge as it grows and shrinks.
/// - 4 MiB resident: what malloc keeps of memory freed to it (in its arenas' free lists) and
///   the C handle table's closed shells, under a kilobyte each and at most one per slot
///   (measured: 0.6 MiB after 1000 disk cycles, 2 MiB once all 4,096 slots are used, flat
///   after); half the 8 MiB budget of one cache.
struct ReopenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reopen",
        abstract: "Check that closing a cache gives back its descriptors, mappings, threads and memory.",
        discussion: """
            Opens and closes --cycles caches one after another (memory-only, with a disk tier in \
            --directory, or both in turn), writing --entries entries each time and reading them back; \
            with a disk tier, each cycle first reads back the previous cycle's entries from disk. Prints \
            one JSON line per mode with what the process holds (open descriptors, memory mappings, \
            threads, resident memory) at the end beyond what it held after --warm-up cycles, and exits \
            with status 1 if a value read back is wrong or any growth exceeds its fixed limit.
            """
    )

    /// Which caches to cycle through.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case memory
        case disk
        case both
    }

    /// Growth allowed past the warm-up reading, whatever the number of cycles (see the type's comment).
    static let limits = ProcessResources(descriptors: 4, mappings: 16, threads: 2, residentBytes: 4 << 20)

    @Option(help: "Open/close cycles per mode.")
    var cycles = 1000

    @Option(help: "Cycles before the baseline reading, so one-time allocations are not counted as growth.")
    var warmUp = 10

    @Option(help: "memory (no disk tier), disk (a disk tier in --directory) or both, one after the other.")
    var mode: Mode = .both

    @Option(help: "Interface to drive: c (the trove_* functions) or swift (Trove.Cache).")
    var api: EngineOptionGroup.API = .c

    @Option(help: "Directory for the disk tier (default: a new directory under /tmp, removed afterwards).")
    var directory: String?

    @Option(help: "Entries written and read back per cycle.")
    var entries = 64

    @Option(help: "Hot-tier memory budget in bytes.")
    var capacityBytes = 8 << 20

    @Option(help: "Disk-tier budget in bytes.")
    var diskCapacityBytes = 64 << 20

    func validate() throws {
        guard warmUp >= 1, cycles > warmUp else {
            throw ValidationError("--cycles must exceed --warm-up, which must be at least 1")
        }
        guard entries >= 1 else { throw ValidationError("--entries must be at least 1") }
        try CacheFlagValidation.checkBudget(capacityBytes)
    }

    func run() throws {
        var exceeded: [String] = []
        if mode != .disk {
            exceeded += try check(directory: nil)
        }
        if mode != .memory {
            let path = try directory ?? makeTemporaryDirectory()
            defer {
                if directory == nil { try? FileManager.default.removeItem(atPath: path) }
            }
            exceeded += try check(directory: path)
        }
        if !exceeded.isEmpty {
            StandardError.writeLine("[trove] reopen check failed: " + exceeded.joined(separator: "; "))
            throw ExitCode(1)
        }
    }

    /// Runs the cycles of one mode and prints its JSON line.
    ///
    /// - Returns: The limits exceeded, described.
    /// - Throws: `ReopenError` when a call fails or a value reads back wrong.
    private func check(directory: String?) throws -> [String] {
        let name = directory == nil ? "memory" : "disk"
        let started = ProcessMetrics.nanoseconds()
        var baseline = ProcessResources.current()
        for cycle in 0..<cycles {
            do {
                try run(cycle: cycle, directory: directory)
            } catch {
                throw ReopenError(description: "\(name) cycle \(cycle + 1) of \(cycles): \(error)")
            }
            if cycle + 1 == warmUp { baseline = ProcessResources.current() }
            if (cycle + 1) % max(cycles / 10, 1) == 0 && cycle + 1 > warmUp {
                let growth = ProcessResources.current().growth(since: baseline)
                StandardError.writeLine(
                    "[trove] reopen \(name) (\(api.rawValue)): \(cycle + 1)/\(cycles) cycles; since warm-up: "
                        + "descriptors \(growth.descriptors), mappings \(growth.mappings), threads \(growth.threads), "
                        + "resident \(growth.residentBytes >> 10) KiB"
                )
            }
        }
        let end = ProcessResources.current()
        let growth = end.growth(since: baseline)
        let limits = ReopenCommand.limits
        let checks = [
            ("descriptors", growth.descriptors, limits.descriptors), ("mappings", growth.mappings, limits.mappings),
            ("threads", growth.threads, limits.threads), ("resident bytes", growth.residentBytes, limits.residentBytes),
        ]
        let exceeded = checks.filter { $0.1 > $0.2 }.map { "\(name): \($0.1) more \($0.0) (limit \($0.2))" }
        let seconds = Double(ProcessMetrics.nanoseconds() - started) / 1e9
        print(
            "{\"workload\":\"reopen\",\"mode\":\"\(name)\",\"api\":\"\(api.rawValue)\",\"cycles\":\(cycles),"
                + "\"warm_up_cycles\":\(warmUp),\"entries\":\(entries),\"capacity_bytes\":\(capacityBytes),"
                + "\"disk_capacity_bytes\":\(directory == nil ? 0 : diskCapacityBytes),"
                + "\"seconds\":\(PrintfFormat.render("%.3f", seconds)),"
                + "\"fds_delta\":\(growth.descriptors),\"mappings_delta\":\(growth.mappings),"
                + "\"threads_delta\":\(growth.threads),\"rss_delta_bytes\":\(growth.residentBytes),"
                + "\"fds\":\(end.descriptors),\"mappings\":\(end.mappings),\"threads\":\(end.threads),"
                + "\"rss_bytes\":\(end.residentBytes),\"within_limits\":\(exceeded.isEmpty)}"
        )
        return exceeded
    }

    /// Opens a cache, checks that the previous cycle's entries came back from disk (with a
    /// directory), writes this cycle's entries, reads them back and closes the cache.
    private func run(cycle: Int, directory: String?) throws {
        let cache = try api.openReopenTarget(
            capacityBytes: capacityBytes,
            directory: directory,
            diskCapacityBytes: diskCapacityBytes
        )
        if directory != nil && cycle > 0 {
            try verify(cache, cycle: cycle - 1, what: "after reopening")
        }
        for entry in 0..<entries {
            try cache.put(ReopenCommand.key(entry), ReopenCommand.value(cycle: cycle, entry: entry))
        }
        try verify(cache, cycle: cycle, what: "after writing")
        try cache.close()
    }

    private func verify(_ cache: any ReopenTarget, cycle: Int, what: String) throws {
        for entry in 0..<entries {
            let expected = ReopenCommand.value(cycle: cycle, entry: entry)
            let found = try cache.get(ReopenCommand.key(entry))
            guard found == expected else {
                let shown = found.map { String(decoding: $0, as: UTF8.self) } ?? "a miss"
                throw ReopenError(description: "entry \(entry) of cycle \(cycle) \(what): read \(shown)")
            }
        }
    }

    private static func key(_ entry: Int) -> [UInt8] {
        Array("reopen:\(entry)".utf8)
    }

    /// 100 bytes naming the cycle and the entry, so a value from another cycle never passes.
    private static func value(cycle: Int, entry: Int) -> [UInt8] {
        let text = Array("cycle \(cycle) entry \(entry) ".utf8)
        return text + [UInt8](repeating: 0x2E, count: max(100 - text.count, 0))
    }

    private func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/trove-reopen-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }
}
