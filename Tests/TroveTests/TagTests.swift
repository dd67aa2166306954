import FoundationEssentials
import Synchronization
import Testing
import Trove
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Tags: invalidating one removes exactly the entries carrying it, in both tiers and across
/// a reopen; a crash's lost tags empty the disk tier; loads racing an invalidation cache nothing.
@Suite struct TagTests {
    @Test func invalidatingATagRemovesExactlyItsEntries() throws {
        let cache = try Cache()
        try cache.put("goal:1", "a", tags: ["user:1", "goals:user:1", "dashboard:user:1"])
        try cache.put("goal:2", "b", tags: ["user:1", "goals:user:1"])
        try cache.put("goal:3", "c", tags: ["user:2"])
        try cache.put("plain", "d")
        #expect(try cache.statistics().tags == 4)
        #expect(try cache.statistics().taggedEntries == 3)

        // An entry with three tags goes when any one of them is invalidated.
        #expect(try cache.invalidate(tag: "dashboard:user:1") == 1)
        #expect(try cache.get("goal:1") == nil)
        #expect(try cache.getString("goal:2") == "b")
        #expect(try cache.invalidate(tag: "dashboard:user:1") == 0)
        #expect(try cache.invalidate(tag: "user:1") == 1)
        #expect(try cache.get("goal:2") == nil)
        #expect(try cache.getString("goal:3") == "c" && cache.getString("plain") == "d")

        // A put without tags drops the ones the key carried.
        try cache.put("goal:3", "c2")
        #expect(try cache.invalidate(tag: "user:2") == 0)
        #expect(try cache.getString("goal:3") == "c2")
        let stats = try cache.statistics()
        #expect(stats.tagInvalidations == 4 && stats.tags == 0 && stats.taggedEntries == 0)
    }

    @Test func tagsAreChecked() throws {
        let cache = try Cache()
        let nine = (0..<9).map { "t\($0)" }
        for tags in [nine, [""], [String(repeating: "x", count: 1025)]] {
            #expect(throws: TroveError.self) { try cache.put("k", "v", tags: tags) }
        }
        #expect(try cache.get("k") == nil)
        #expect(throws: TroveError.self) { try cache.invalidate(tag: "") }
        try cache.put("k", "v", tags: (0..<8).map { "t\($0)" })
        #expect(try cache.invalidate(tag: "t7") == 1)
    }

    /// 1,000 tagged entries among 100,000 with a 1 MiB memory budget, so that most are on
    /// disk: invalidating the tag removes all 1,000 from both tiers, before and after a
    /// close and reopen, and nothing else.
    @Test func aThousandTaggedAmongAHundredThousandInBothTiersAcrossAReopen() throws {
        let directory = try TemporaryDirectory(prefix: "trove-tags")
        var options = CacheOptions(capacityBytes: 1 << 20)
        options.directory = directory.path
        options.compressionThreshold = 0
        func key(_ index: Int) -> String { "entry:\(index)" }
        do {
            let cache = try Cache(options: options)
            for index in 0..<100_000 {
                let tags = index % 100 == 0 ? ["group", index % 200 == 0 ? "even" : "odd"] : []
                try cache.put(key(index), "value \(index)", tags: tags)
            }
            let stats = try cache.statistics()
            #expect(stats.items < 100_000 && (stats.disk?.demotions ?? 0) > 0)
            #expect(stats.taggedEntries == 1_000 && stats.tags == 3)
            // Tagged entries live in both tiers now: `contains` answers from memory without
            // a disk hit, and from disk with one.
            var inMemory = 0
            var onDisk = 0
            for index in stride(from: 100, to: 100_000, by: 200) {
                let before = try cache.statistics().disk?.hits ?? 0
                #expect(try cache.contains(key(index)))
                if (try cache.statistics().disk?.hits ?? 0) > before { onDisk += 1 } else { inMemory += 1 }
            }
            #expect(inMemory > 0 && onDisk > 0)
            #expect(try cache.invalidate(tag: "odd") == 500)
            for index in stride(from: 100, to: 100_000, by: 200) { #expect(try cache.get(key(index)) == nil) }
            cache.close()
        }
        let reopened = try Cache(options: options)
        let stats = try reopened.statistics()
        #expect(stats.taggedEntries == 500 && stats.tags == 2)
        #expect(try reopened.invalidate(tag: "group") == 500)
        for index in stride(from: 0, to: 100_000, by: 100) { #expect(try reopened.get(key(index)) == nil) }
        for index in stride(from: 1, to: 100_000, by: 37) where index % 100 != 0 {
            #expect(try reopened.getString(key(index)) == "value \(index)")
        }
        reopened.close()
    }

    /// A process that stops without closing leaves its tags unsaved: the next open cannot
    /// know which entries on disk carried which tag, so it empties the disk tier rather
    /// than ever serve one after its tag was invalidated. A damaged tags file counts the same.
    @Test(arguments: ["crashed", "damaged"])
    func lostTagsEmptyTheDiskTier(_ how: String) throws {
        let directory = try TemporaryDirectory(prefix: "trove-tags-lost")
        var options = CacheOptions(capacityBytes: 1 << 20)
        options.directory = directory.path
        do {
            let cache = try Cache(options: options)
            try cache.put("tagged", "v", tags: ["t"])
            try cache.put("plain", "p")
            cache.close()
        }
        let tagsFile = directory.path + "/trove-tags"
        #expect(FileManager.default.fileExists(atPath: tagsFile))
        if how == "crashed" {
            // What a crash leaves: the marker written at the first tagged put, no saved file.
            try FileManager.default.removeItem(atPath: tagsFile)
            try directory.makeFile("trove-tags.in-use", bytes: [])
        } else {
            var bytes = try #require(FileManager.default.contents(atPath: tagsFile).map(Array.init))
            bytes[bytes.count / 2] ^= 0xFF
            try directory.makeFile("trove-tags", bytes: bytes)
        }
        let reopened = try Cache(options: options)
        #expect(try reopened.get("tagged") == nil)
        #expect(try reopened.get("plain") == nil)
        #expect(try reopened.statistics().tags == 0)
        try reopened.put("after", "a")
        reopened.close()

        // Without tags in use, a reopen keeps everything.
        let again = try Cache(options: options)
        #expect(try again.getString("after") == "a")
        again.close()
    }

    /// A load whose value carries a tag, running while the tag is invalidated, returns the
    /// value but does not cache it.
    @Test func aLoadRacingItsTagsInvalidationCachesNothing() throws {
        let cache = try Cache()
        let started = Atomic<Bool>(false)
        let invalidated = Atomic<Bool>(false)
        let loaded = Locked<[UInt8]?>(nil)
        let reader = TestThreads(1) { _ in
            let value = try? cache.value(forKey: "goal:9", tags: ["user:9"]) { () throws -> [UInt8]? in
                started.store(true, ordering: .releasing)
                while !invalidated.load(ordering: .acquiring) { usleep(1_000) }
                return Array("old".utf8)
            }
            loaded.withLock { $0 = value }
        }
        while !started.load(ordering: .acquiring) { usleep(1_000) }
        #expect(try cache.invalidate(tag: "user:9") == 0)
        invalidated.store(true, ordering: .releasing)
        reader.join()
        #expect(loaded.withLock { $0 } == Array("old".utf8))
        #expect(try cache.get("goal:9") == nil)
        // A load after the invalidation caches, with its tags.
        #expect(try cache.value(forKey: "goal:9", tags: ["user:9"]) { Array("new".utf8) } == Array("new".utf8))
        #expect(try cache.invalidate(tag: "user:9") == 1)
        #expect(try cache.get("goal:9") == nil)
    }
}
