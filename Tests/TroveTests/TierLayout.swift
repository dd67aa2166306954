import Synchronization
import Testing
import Trove
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Where a test puts an entry of a cache with a disk tier.
enum Tier: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// Only in memory: written after the flood that pushed older entries out, never evicted.
    case memory
    /// Only on disk: demoted by the flood and not read since.
    case disk
    /// In memory and on disk: demoted, then read back, which copies the entry into memory and
    /// leaves its disk record where it is (the disk tier is a log).
    case both

    var testDescription: String { rawValue }
}

/// A cache with a 1 MiB memory budget and a disk tier in a temporary directory, whose entries a
/// test places in chosen tiers, checking through the public API where each one ended up.
///
/// Placement is verified key by key: a removal listener must have told of a key's demotion (and
/// of nothing else), and `contains`, which reads the disk without copying the entry into memory,
/// must be answered from memory (no disk hit) or from disk (exactly one disk hit) as the tier
/// says. Filler entries (`filler:N`, which no pattern of the tests matches) make the flood.
final class TierLayout {
    let directory: TemporaryDirectory
    private(set) var cache: Cache
    let heard = Heard()
    private var fillers = 0
    private var sentinels = 0

    let policy: CacheOptions.Policy

    init(policy: CacheOptions.Policy = .s3fifo) throws {
        self.policy = policy
        directory = try TemporaryDirectory(prefix: "trove-tiers")
        cache = try Cache(options: TierLayout.options(directory.path, policy: policy))
        try cache.setRemovalListener(heard.listener())
    }

    static func options(_ path: String, policy: CacheOptions.Policy) -> CacheOptions {
        var options = CacheOptions(capacityBytes: 1 << 20)
        options.policy = policy
        options.stripes = 4
        options.directory = path
        options.diskCapacityBytes = 64 << 20
        options.compressionThreshold = 0
        return options
    }

    /// The value every test stores under `key`: its bytes repeated to 600 bytes, so a wrong
    /// key's value, or a torn one, cannot pass for it.
    static func value(of key: String) -> [UInt8] {
        let bytes = Array(key.utf8)
        return (0..<600).map { bytes[$0 % bytes.count] }
    }

    /// Puts every key in the tier given for it, then checks where each one is.
    func place(_ tiers: [Tier: [String]]) throws {
        let demoted = (tiers[.disk] ?? []) + (tiers[.both] ?? [])
        for key in demoted { try cache.put(key, TierLayout.value(of: key)) }
        try pushToDisk(demoted)
        let both = tiers[.both] ?? []
        let before = try diskStatistics()
        for key in both { try #require(try cache.get(key) == TierLayout.value(of: key), "\(key) read back") }
        let after = try diskStatistics()
        // `get` reads into 256 bytes first and again at the value's size: the disk counts both reads.
        try #require(after.hits - before.hits >= UInt64(both.count), "the reads came from disk")
        try #require(after.promotions - before.promotions == UInt64(both.count), "each was copied into memory")
        for key in tiers[.memory] ?? [] { try cache.put(key, TierLayout.value(of: key)) }
        try drain()
        try #require(try diskStatistics().droppedDemotions == 0, "every demotion reached the disk")
        for (tier, keys) in tiers {
            for key in keys {
                try #require(heard.causes(of: key) == (tier == .memory ? [] : [.demoted]), "\(key) left \(tier)")
                try #require(try residence(of: key) == (tier == .disk ? .disk : .memory), "\(key) is not in \(tier)")
            }
        }
    }

    /// Puts filler until the listener has heard each of `keys`, in memory now, demoted once more.
    func pushToDisk(_ keys: [String]) throws {
        let heardBefore = Dictionary(uniqueKeysWithValues: keys.map { ($0, heard.causes(of: $0).count) })
        func demoted(_ key: String) -> Bool { heard.causes(of: key).dropFirst(heardBefore[key]!) == [.demoted] }
        var rounds = 0
        repeat {
            try flood(entries: 200)
            // Lets the writer catch up, so that no demotion is dropped for want of a buffer.
            try cache.flush()
            try drain()
            rounds += 1
        } while rounds < 40 && !keys.allSatisfy(demoted)
        for key in keys { try #require(demoted(key), "\(key) did not go to disk: \(heard.causes(of: key))") }
    }

    enum Answered: Equatable { case memory, disk, nowhere }

    /// Which tier answers `contains(key)`: memory, or disk (one disk hit; nothing is copied into memory).
    func residence(of key: String) throws -> Answered {
        let before = try diskStatistics().hits
        guard try cache.contains(key) else { return .nowhere }
        return try diskStatistics().hits == before ? .memory : .disk
    }

    /// Puts `entries` filler entries of 2,000 bytes.
    func flood(entries: Int) throws {
        for _ in 0..<entries {
            try cache.put("filler:\(fillers)", TierLayout.filler)
            fillers += 1
        }
    }

    static let filler = [UInt8](repeating: 0x2E, count: 2_000)

    /// The first filler entry (on disk by now) and the last (in memory).
    var fillerSample: [String] { fillers == 0 ? [] : ["filler:0", "filler:\(fillers - 1)"] }

    /// Returns once the listener has heard everything queued before the call (notifications
    /// arrive in the order they were queued, and a sentinel's deletion is queued last).
    func drain() throws {
        let sentinel = "sentinel:\(sentinels)"
        sentinels += 1
        try cache.put(sentinel, [UInt8]())
        try cache.delete(sentinel)
        let delivered = eventually { self.heard.causes(of: sentinel) == [.deleted] }
        try #require(delivered, "the listener did not hear \(sentinel) within 30 s")
    }

    func diskStatistics() throws -> DiskStatistics {
        try #require(try cache.statistics().disk)
    }

    /// Closes the cache and opens the directory again, with no listener. With `scanning`, the
    /// checkpoint that closing wrote is deleted first, so the disk tier rebuilds its index by
    /// scanning the region file, as after a crash.
    func reopen(scanning: Bool) throws {
        cache.close()
        if scanning {
            // ColdTier.checkpointName: the test checks below that the scan did happen.
            #expect(unlink(directory.path + "/trove-cold.checkpoint") == 0)
        }
        cache = try Cache(options: TierLayout.options(directory.path, policy: policy))
        let disk = try diskStatistics()
        #expect(disk.isHealthy && disk.recoveredFromCheckpoint == !scanning && disk.recoveredItems > 0)
    }

    func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<30_000 where !condition() { usleep(1_000) }
        return condition()
    }

    /// What the removal listener heard of each key, in order.
    final class Heard: Sendable {
        private let byKey = Mutex<[String: [Cache.RemovalCause]]>([:])

        func listener() -> @Sendable ([UInt8], Cache.RemovalCause) -> Void {
            { key, cause in
                let name = String(decoding: key, as: UTF8.self)
                self.byKey.withLock { $0[name, default: []].append(cause) }
            }
        }

        func causes(of key: String) -> [Cache.RemovalCause] {
            byKey.withLock { $0[key] ?? [] }
        }
    }
}
