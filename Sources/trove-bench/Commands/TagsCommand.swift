import ArgumentParser
import Foundation
import Trove

/// Tag invalidation against the cache's size and against a pattern scan: 1,000 tagged
/// entries among 100,000 and among 1,000,000, each invalidated by its tag, and the same
/// 1,000 among 1,000,000 by a glob that must look at every key; then the tag index's
/// memory per tagged entry and per tag.
///
/// The claim it checks: a tag invalidation costs time proportional to the entries carrying
/// the tag, not to the cache, so the two tag times stay within `--limit` of each other.
struct TagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "Time invalidating 1,000 tagged entries among 100,000 and 1,000,000, and a glob scan of 1,000,000.",
        discussion: """
            Fills a memory-only cache, tags --tagged of its entries, and times Cache.invalidate(tag:) over \
            --rounds rounds (the tagged entries are put back, untimed, between rounds), at each population; \
            then times Cache.invalidate(matching:) of the same entries at the largest population. Prints a \
            table to stderr and JSON lines to stdout; exits with status 1 if the tag invalidation among the \
            largest population takes more than --limit times as long as among the smallest.
            """
    )

    @Option(help: "Tagged entries, invalidated each round.")
    var tagged = 1_000

    @Option(help: "Cache populations, comma-separated; the first and last are compared.")
    var populations = CommaSeparatedList<Int>([100_000, 1_000_000])

    @Option(help: "Rounds measured per population (the median is reported).")
    var rounds = 31

    @Option(help: "The largest ratio of the last population's tag time to the first's that passes.")
    var limit = 2.0

    func validate() throws {
        guard tagged >= 1, rounds >= 1, limit > 0 else {
            throw ValidationError("need --tagged >= 1, --rounds >= 1 and --limit > 0")
        }
        guard populations.values.count >= 2, populations.values.allSatisfy({ $0 > tagged }) else {
            throw ValidationError("need at least two --populations, each larger than --tagged")
        }
    }

    /// One population's cache, with its tagged keys.
    struct Population {
        let size: Int
        let cache: Cache
        let taggedKeys: [[UInt8]]
    }

    func run() throws {
        let filled = try populations.values.map { size in
            StandardError.writeLine("[trove] tags: filling \(size) entries (\(tagged) tagged)...")
            let cache = try Cache(options: CacheOptions(capacityBytes: max(64 << 20, size * 128)))
            let tagEvery = size / tagged
            for index in 0..<size where index % tagEvery != 0 {
                try cache.put(Array("k:\(index)".utf8), Array("value".utf8))
            }
            return Population(
                size: size,
                cache: cache,
                taggedKeys: (0..<tagged).map { Array("k:\($0 * tagEvery):t".utf8) }
            )
        }
        defer { for population in filled { population.cache.close() } }
        // Round by round across the populations, so a drift of the machine's speed falls on all.
        var samples: [Int: [UInt64]] = [:]
        for _ in 0..<rounds {
            for population in filled {
                for key in population.taggedKeys { try population.cache.put(key, Array("value".utf8), tags: ["group"]) }
                let start = ProcessMetrics.nanoseconds()
                let removed = try population.cache.invalidate(tag: "group")
                samples[population.size, default: []].append(ProcessMetrics.nanoseconds() &- start)
                guard removed == tagged else { throw TagsFailure("invalidate(tag:) removed \(removed), not \(tagged)") }
            }
        }
        let tagTimes = samples.mapValues(TagsCommand.median)
        let largest = filled.last!
        var globSamples: [UInt64] = []
        for _ in 0..<max(rounds / 3, 1) {
            for key in largest.taggedKeys { try largest.cache.put(key, Array("value".utf8)) }
            let start = ProcessMetrics.nanoseconds()
            let removed = try largest.cache.invalidate(matching: "*:t")
            globSamples.append(ProcessMetrics.nanoseconds() &- start)
            guard removed == tagged else { throw TagsFailure("the glob removed \(removed), not \(tagged)") }
        }
        let globTime = TagsCommand.median(globSamples)
        let (perEntry, perTag) = try TagsCommand.memoryCosts()
        let first = tagTimes[populations.values.first!]!
        let last = tagTimes[populations.values.last!]!
        let ratio = Double(last) / Double(max(first, 1))
        report(tagTimes: tagTimes, glob: globTime, ratio: ratio, perEntry: perEntry, perTag: perTag)
        if ratio > limit {
            StandardError.writeLine(String(format: "[trove] tags: FAIL: %.2fx is over the %.2fx limit", ratio, limit))
            throw ExitCode(1)
        }
    }

    private func report(tagTimes: [Int: UInt64], glob: UInt64, ratio: Double, perEntry: Double, perTag: Double) {
        StandardError.writeLine("[trove] tags: median of \(rounds) rounds, \(tagged) entries invalidated each")
        for population in populations.values {
            let nanoseconds = tagTimes[population]!
            StandardError.writeLine(
                String(format: "  by tag among %9d entries: %10.1f us", population, Double(nanoseconds) / 1000)
            )
            print(
                "{\"workload\":\"tags\",\"method\":\"tag\",\"population\":\(population),\"tagged\":\(tagged),"
                    + "\"median_ns\":\(nanoseconds)}"
            )
        }
        let largest = populations.values.last!
        StandardError.writeLine(
            String(
                format: "  by glob among %8d entries: %10.1f us (%.0fx the tag's)",
                largest,
                Double(glob) / 1000,
                Double(glob) / Double(max(tagTimes[largest]!, 1))
            )
        )
        StandardError.writeLine(String(format: "  tag time, largest over smallest population: %.2fx", ratio))
        StandardError.writeLine(
            String(
                format:
                    "  tag index memory: %.0f bytes per tagged entry (16-byte key, 2 tags), about %.0f more per tag",
                perEntry,
                perTag
            )
        )
        print(
            "{\"workload\":\"tags\",\"method\":\"glob\",\"population\":\(largest),\"tagged\":\(tagged),"
                + "\"median_ns\":\(glob)}"
        )
        print(
            "{\"workload\":\"tags\",\"ratio\":\(String(format: "%.3f", ratio)),\"limit\":\(limit),"
                + "\"bytes_per_tagged_entry\":\(Int(perEntry)),\"bytes_per_tag\":\(Int(perTag))}"
        )
    }

    /// Resident bytes the tag index takes per entry, over 100,000 new entries with 16-byte
    /// keys: each carrying the same two tags (the cost of a tagged entry), then as many
    /// others each carrying a tag of its own (an entry and a tag: the difference is about
    /// what a tag costs). Only allocating, so freed memory cannot hide growth; the arena's
    /// own growth (`memoryBytes`) is subtracted.
    private static func memoryCosts() throws -> (perEntry: Double, perTag: Double) {
        let count = 100_000
        let cache = try Cache(options: CacheOptions(capacityBytes: 256 << 20))
        defer { cache.close() }
        func growth(_ body: () throws -> Void) throws -> Double {
            let resident = ProcessMetrics.residentBytes()
            let arena = try cache.statistics().memoryBytes
            try body()
            let total = Int64(bitPattern: ProcessMetrics.residentBytes() &- resident)
            let arenaGrowth = Int64(bitPattern: try cache.statistics().memoryBytes &- arena)
            return Double(total - arenaGrowth) / Double(count)
        }
        let shared = try growth {
            for index in 0..<count {
                try cache.put(Array(String(format: "key:a:%010d", index).utf8), [1], tags: ["tag:one", "tag:two"])
            }
        }
        let distinct = try growth {
            for index in 0..<count {
                try cache.put(Array(String(format: "key:b:%010d", index).utf8), [1], tags: ["tag:\(index)"])
            }
        }
        return (shared, distinct - shared)
    }

    private static func median(_ samples: [UInt64]) -> UInt64 {
        samples.sorted()[samples.count / 2]
    }
}

/// A tag invalidation that removed a different number of entries than were tagged.
struct TagsFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
