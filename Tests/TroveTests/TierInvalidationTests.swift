import Synchronization
import Testing
import Trove
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `invalidate(prefix:)` and `invalidate(matching:)` on a cache with a disk tier: matching
/// entries leave memory and disk, every other entry stays readable in both, and what was
/// removed stays gone after closing and reopening the directory, whether the disk tier comes
/// back from its checkpoint or by scanning its regions. `TierLayout` places the entries and
/// checks, key by key, which tier holds each before the invalidation.
@Suite struct TierInvalidationTests {
    /// An invalidation, the keys it must remove and the keys it must leave.
    struct Case: Sendable, CustomTestStringConvertible {
        enum Invalidation: Sendable {
            case prefix(String)
            case pattern(String)
        }

        let invalidation: Invalidation
        let matching: [String]
        let others: [String]

        var testDescription: String {
            switch invalidation {
            case .prefix(let prefix): "prefix \(prefix)"
            case .pattern(let pattern): "pattern \(pattern)"
            }
        }

        /// Runs the invalidation; returns how many entries it counted as removed.
        func run(on cache: Cache) throws -> Int {
            switch invalidation {
            case .prefix(let prefix): try cache.invalidate(prefix: prefix)
            case .pattern(let pattern): try cache.invalidate(matching: pattern)
            }
        }
    }

    static let cases: [Case] = [
        // `*` in the middle, matching runs that hold the `:` delimiter, and the empty run.
        Case(
            invalidation: .pattern("user:goals:*:user123"),
            matching: [
                "user:goals:1:user123", "user:goals:weekly:user123", "user:goals::user123",
                "user:goals:a:b:c:user123", "user:goals:user123:user123",
            ],
            others: [
                "user:goals:1:user1234", "user:goals:1:xuser123", "user:goals:user123", "user:goal:1:user123",
                "xuser:goals:1:user123", "user:goals:1:user123:extra", "user:goals:1:user12",
            ]
        ),
        // `*` at the start.
        Case(
            invalidation: .pattern("*:user123"),
            matching: ["session:user123", "a:b:c:user123", ":user123", "user:goals:9:user123"],
            others: ["user123", "session:user1234", "session:xuser123", "session:user123:", "session;user123"]
        ),
        // `*` at the end.
        Case(
            invalidation: .pattern("user:goals:*"),
            matching: ["user:goals:", "user:goals:1", "user:goals:a:b:c"],
            others: ["user:goals", "user:goal:1", "xuser:goals:1", "user:Goals:1"]
        ),
        // `*` at both ends.
        Case(
            invalidation: .pattern("*goals*"),
            matching: ["goals", "user:goals:1:user123", "x:goals", "goals:y"],
            others: ["goal", "user:goal:s", "GOALS"]
        ),
        // `?` is exactly one byte, the delimiter too; not two, not none, not a two-byte é.
        Case(
            invalidation: .pattern("user:?:profile"),
            matching: ["user:1:profile", "user:x:profile", "user:::profile"],
            others: ["user:12:profile", "user::profile", "user:1:profiles", "user:1:profil", "user:é:profile"]
        ),
        // `?` among literals and a `*`.
        Case(
            invalidation: .pattern("user:goals:?:user1??*"),
            matching: ["user:goals:7:user123", "user:goals:::user1ab", "user:goals:7:user123:more"],
            others: ["user:goals:77:user123", "user:goals:7:user12", "user:goals::user123"]
        ),
        // An escaped `*` is a literal asterisk.
        Case(
            invalidation: .pattern("user:\\*:x"),
            matching: ["user:*:x"],
            others: ["user:a:x", "user::x", "user:**:x"]
        ),
        Case(
            invalidation: .prefix("user:goals:"),
            matching: ["user:goals:", "user:goals:1:user123", "user:goals:a:b"],
            others: ["user:goals", "user:goal:1", "xuser:goals:1", "user:Goals:1"]
        ),
    ]

    /// Every key of a case in one tier: the invalidation removes the matching ones there, and
    /// only those, and they stay removed across reopening.
    @Test(arguments: cases, Tier.allCases)
    func invalidationRemovesTheMatchesOfOneTier(_ example: Case, in tier: Tier) throws {
        let layout = try TierLayout()
        try layout.place([tier: example.matching + example.others])
        let removed = try example.run(on: layout.cache)
        // The count covers memory only: the disk tier logs the invalidation instead of reading its keys.
        #expect(removed == (tier == .disk ? 0 : example.matching.count))
        try layout.drain()
        for key in example.matching where tier != .disk {
            #expect(layout.heard.causes(of: key).last == .invalidated, "\(key)")
        }
        for key in example.others {
            #expect(!layout.heard.causes(of: key).contains(.invalidated), "\(key)")
        }
        try Self.expectInvalidated(example.matching, kept: example.others + layout.fillerSample, in: layout.cache)
        try layout.reopen(scanning: false)
        try Self.expectInvalidated(example.matching, kept: example.others, in: layout.cache)
        try layout.reopen(scanning: true)
        try Self.expectInvalidated(example.matching, kept: example.others, in: layout.cache)
        layout.cache.close()
    }

    /// Matching and other keys in all three tiers at once, with the delimiter inside the run
    /// that `*` matches: one invalidation clears the matches of every tier.
    @Test func oneInvalidationClearsEveryTierAtOnce() throws {
        let layout = try TierLayout()
        func keys(_ tag: String) -> (matching: [String], others: [String]) {
            (
                ["user:goals:\(tag):user123", "user:goals:\(tag):a:b:user123"],
                ["user:goals:\(tag):user1234", "user:goal:\(tag):user123"]
            )
        }
        let tiers: [Tier: (matching: [String], others: [String])] = [
            .memory: keys("m"), .disk: keys("d"), .both: keys("b"),
        ]
        try layout.place(tiers.mapValues { $0.matching + $0.others })
        let matching = tiers.values.flatMap(\.matching)
        let others = tiers.values.flatMap(\.others)
        #expect(try layout.cache.invalidate(matching: "user:goals:*:user123") == 4)  // memory's and both's
        try Self.expectInvalidated(matching, kept: others + layout.fillerSample, in: layout.cache)
        try layout.reopen(scanning: false)
        try Self.expectInvalidated(matching, kept: others, in: layout.cache)
        try layout.reopen(scanning: true)
        try Self.expectInvalidated(matching, kept: others, in: layout.cache)
        layout.cache.close()
    }

    /// An invalidation hides only what was written before it: a matching key written again
    /// afterwards is readable, from memory and from disk, before and after reopening.
    @Test func keysWrittenAfterTheInvalidationAreReadable() throws {
        // CLOCK: under S3-FIFO a key put again soon after its eviction is a ghost hit, goes to
        // the main queue, and filler (which never leaves the small queue) never pushes it out.
        let layout = try TierLayout(policy: .lru)
        let toDisk = "user:goals:1:user123"
        let inMemory = "user:goals:2:user123"
        try layout.place([.disk: [toDisk], .both: [inMemory]])
        #expect(try layout.cache.invalidate(matching: "user:goals:*:user123") == 1)
        try Self.expectInvalidated([toDisk, inMemory], kept: [], in: layout.cache)
        let newer = { (key: String) in TierLayout.value(of: "again " + key) }
        try layout.cache.put(toDisk, newer(toDisk))
        try layout.pushToDisk([toDisk])
        try layout.cache.put(inMemory, newer(inMemory))
        #expect(try layout.residence(of: toDisk) == .disk)
        #expect(try layout.residence(of: inMemory) == .memory)
        for reopening in [nil, false, true] {
            if let scanning = reopening { try layout.reopen(scanning: scanning) }
            #expect(try layout.cache.get(toDisk) == newer(toDisk), "reopened: \(String(describing: reopening))")
            #expect(try layout.cache.get(inMemory) == newer(inMemory), "reopened: \(String(describing: reopening))")
        }
        layout.cache.close()
    }

    /// A `get` of a key only on disk, racing an invalidation that matches it (or `removeAll`), must
    /// not copy the entry back into memory once the removal has passed it by: the removal clears
    /// memory first and only then hides the disk's entries, and a read of the disk in between hits
    /// the entry (`PromotionFence` keeps it from being promoted). A reader loops over 60 disk-only
    /// keys while the main thread removes them; none may stay readable. Without the fence, every
    /// kind failed within the first 30 trials (most within 10); 100 trials, stopping at the first.
    @Test(
        "a get racing an invalidation or removeAll does not bring the disk entry back into memory",
        arguments: ["prefix", "pattern", "removeAll"]
    )
    func getRacingABulkRemovalDoesNotBringTheEntryBack(_ kind: String) throws {
        let layout = try TierLayout(policy: .lru)
        var readable: [String] = []
        var trials = 0
        while trials < 100 && readable.isEmpty {
            let keys = (0..<60).map { "race:\(trials):\($0)" }
            try layout.place([.disk: keys])
            let cache = layout.cache
            let reading = Atomic<Int>(0)  // 1: started, 2: asked to stop
            let reader = TestThreads(1) { _ in
                reading.store(1, ordering: .releasing)
                while reading.load(ordering: .acquiring) == 1 {
                    for key in keys { _ = try? cache.get(key) }
                }
            }
            while reading.load(ordering: .acquiring) == 0 { sched_yield() }
            if kind == "removeAll" {
                try cache.removeAll()
            } else if kind == "prefix" {
                try cache.invalidate(prefix: "race:\(trials):")
            } else {
                try cache.invalidate(matching: "race:\(trials):*")
            }
            reading.store(2, ordering: .releasing)
            reader.join()
            // No write of these keys after the invalidation returned: each must stay gone.
            readable = try keys.filter { try cache.get($0) != nil }
            trials += 1
        }
        #expect(readable.isEmpty, "trial \(trials): \(readable.count) readable after their removal")
        // The disk tier hides them too, so a reopen finds none. (`removeAll` leaves nothing to reopen.)
        if kind != "removeAll" {
            try layout.reopen(scanning: false)
            for key in readable { #expect(try layout.cache.get(key) == nil, "\(key) came back after a reopen") }
        }
        layout.cache.close()
    }

    /// Each of `matching` is gone, whichever tier answers; each of `kept` reads back its value.
    static func expectInvalidated(_ matching: [String], kept: [String], in cache: Cache) throws {
        for key in matching {
            #expect(try !cache.contains(key), "\(key) is still cached")
            #expect(try cache.get(key) == nil, "\(key) is still readable")
        }
        for key in kept {
            let expected = key.hasPrefix("filler:") ? TierLayout.filler : TierLayout.value(of: key)
            #expect(try cache.get(key) == expected, "\(key) was lost")
        }
    }
}
