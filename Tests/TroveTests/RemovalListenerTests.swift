import Synchronization
import Testing
import Trove
import TroveCore
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The removal listener hears of each cause, in order, off the writer's thread, and a slow
/// listener costs dropped notifications, never a blocked writer.
@Suite struct RemovalListenerTests {
    /// What a listener heard.
    final class Heard: Sendable {
        let events = Mutex<[(key: String, cause: Cache.RemovalCause)]>([])
        let threads = Mutex<Set<UInt>>([])
        /// Every key heard of, for a check that does not scan `events`.
        let keys = Mutex<Set<String>>([])

        func listener() -> @Sendable ([UInt8], Cache.RemovalCause) -> Void {
            { key, cause in
                let key = String(decoding: key, as: UTF8.self)
                self.events.withLock { $0.append((key, cause)) }
                self.keys.withLock { _ = $0.insert(key) }
                self.threads.withLock { _ = $0.insert(UInt(pthread_self())) }
            }
        }

        func causes(of key: String) -> [Cache.RemovalCause] {
            events.withLock { $0.filter { $0.key == key }.map(\.cause) }
        }

        func count(_ cause: Cache.RemovalCause) -> Int {
            events.withLock { $0.filter { $0.cause == cause }.count }
        }
    }

    /// `Cache.RemovalCause` mirrors the engine's cause case for case, raw value for raw
    /// value (the C ABI's `TROVE_REMOVED_*` codes), so the listener's mapping loses nothing.
    @Test func publicCausesMirrorTheEngines() {
        #expect(Cache.RemovalCause.allCases.map(\.rawValue) == TroveCore.RemovalCause.allCases.map(\.rawValue))
    }

    @Test func writesDeletesAndInvalidationsAreHeardInOrder() throws {
        let cache = try Cache()
        let heard = Heard()
        try cache.setRemovalListener(heard.listener())
        try cache.put("a", "1")
        try cache.put("a", "2")
        try cache.delete("a")
        try cache.put("p:1", "x")
        try cache.put("p:2", "x")
        _ = try cache.invalidate(prefix: "p:")
        try cache.put("g:1", "x")
        _ = try cache.invalidate(matching: "g:*")
        try cache.put("c", "x")
        try cache.removeAll()
        _ = try cache.delete(many: ["b-absent"])
        // Closing delivers everything queued before it returns.
        cache.close()
        #expect(heard.causes(of: "a") == [.replaced, .deleted])
        #expect(heard.causes(of: "p:1") == [.invalidated] && heard.causes(of: "p:2") == [.invalidated])
        #expect(heard.causes(of: "g:1") == [.invalidated])
        #expect(heard.causes(of: "c") == [.invalidated])
        #expect(heard.causes(of: "b-absent").isEmpty)
        // Delivered on the listener's own thread, not the writer's.
        #expect(!heard.threads.withLock { $0 }.contains(UInt(pthread_self())))
    }

    @Test func expiredEntriesAreHeard() throws {
        try TestClock.exclusive {
            let cache = try Cache()
            let heard = Heard()
            try cache.setRemovalListener(heard.listener())
            try cache.put("t", "x", timeToLive: .seconds(1))
            TestClock.advance(milliseconds: 1_001)
            #expect(try cache.get("t") == nil)
            cache.close()
            #expect(heard.causes(of: "t") == [.expired])
        }
    }

    @Test func evictionsAreHeardAsEvictedOrDemoted() throws {
        let memoryOnly = try Cache(options: CacheOptions(capacityBytes: 1 << 20))
        let heard = Heard()
        try memoryOnly.setRemovalListener(heard.listener())
        let value = [UInt8](repeating: 1, count: 200)
        for index in 0..<20_000 { try memoryOnly.put("k\(index)", value) }
        let evictions = try memoryOnly.statistics().evictions
        memoryOnly.close()
        #expect(evictions > 0)
        #expect(heard.count(.evicted) + heard.count(.demoted) + heard.count(.expired) > 0)
        #expect(heard.count(.demoted) == 0)

        let directory = try TemporaryDirectory(prefix: "trove-removals")
        var options = CacheOptions(capacityBytes: 1 << 20)
        options.directory = directory.path
        let tiered = try Cache(options: options)
        let demoted = Heard()
        try tiered.setRemovalListener(demoted.listener())
        for index in 0..<20_000 { try tiered.put("k\(index)", value) }
        tiered.close()
        #expect(demoted.count(.demoted) > 0)
    }

    /// 48 MB of 1 KB entries through 1 MiB of memory and 16 MiB of disk: the disk tier evicts
    /// regions, and the entries it drops with them are heard as dropped from disk, once each,
    /// after (at most) being heard as demoted, and then miss. A flush every 2,000 entries lets
    /// the writer catch up: while it is behind, it counts a region's notifications as dropped
    /// rather than read the region back.
    @Test func entriesOfAnEvictedDiskRegionAreHeardAsDroppedFromDisk() throws {
        let directory = try TemporaryDirectory(prefix: "trove-removals")
        var options = CacheOptions(capacityBytes: 1 << 20)
        options.directory = directory.path
        options.diskCapacityBytes = 16 << 20
        options.compressionThreshold = 0
        let cache = try Cache(options: options)
        let heard = Heard()
        try cache.setRemovalListener(heard.listener())
        let value = [UInt8](repeating: 3, count: 1_000)
        for index in 0..<48_000 {
            try cache.put("k\(index)", value)
            if index % 2_000 == 1_999 { try cache.flush() }
        }
        try Self.drain(cache, heard)
        let statistics = try cache.statistics()
        let causes = Dictionary(grouping: heard.events.withLock { $0 }, by: \.key).mapValues { $0.map(\.cause) }
        let dropped = causes.filter { $0.value.contains(.droppedFromDisk) }
        let disk = try #require(statistics.disk)
        #expect(disk.regionsEvicted > 0)
        // A record of a 1,000-byte value takes less than 2 KiB, and an evicted region was full:
        // each held at least regionSize / 2 KiB entries, less notifications lost to a full queue.
        let floor = Int(disk.regionsEvicted) * Int(disk.regionSize) / 2_048 - Int(statistics.removalsDropped)
        #expect(!dropped.isEmpty)
        let lost = statistics.removalsDropped
        #expect(dropped.count > floor, "\(dropped.count) heard dropped, \(lost) notifications lost")
        for (key, heardCauses) in dropped {
            #expect(heardCauses == [.demoted, .droppedFromDisk] || heardCauses == [.droppedFromDisk], "\(key)")
            #expect(try cache.get(key) == nil, "\(key) was heard dropped but is still cached")
        }
        cache.close()
    }

    @Test func aSlowListenerCostsDroppedNotificationsNotABlockedWriter() throws {
        let cache = try Cache()
        let entered = Atomic<Bool>(false)
        let release = Atomic<Bool>(false)
        let received = Atomic<Int>(0)
        try cache.setRemovalListener { _, _ in
            entered.store(true, ordering: .releasing)
            while !release.load(ordering: .acquiring) { usleep(100) }
            received.add(1, ordering: .relaxed)
        }
        let burst = RemovalQueueCapacity.value + 1_000
        for index in 0...burst { try cache.put("k\(index)", "x") }
        // The first notification holds the listener; then a burst of deletes, each of which returns at once.
        try cache.delete("k0")
        #expect(Self.eventually { entered.load(ordering: .acquiring) })
        for index in 1...burst { try cache.delete("k\(index)") }
        let stats = try cache.statistics()
        // The queue holds its capacity while the listener is busy; the rest are dropped and counted.
        #expect(stats.removalsDropped == UInt64(burst - RemovalQueueCapacity.value))
        release.store(true, ordering: .releasing)
        cache.close()
        #expect(received.load(ordering: .relaxed) == 1 + RemovalQueueCapacity.value)
    }

    @Test func removingTheListenerStopsNotifications() throws {
        let cache = try Cache()
        let heard = Heard()
        try cache.setRemovalListener(heard.listener())
        try cache.put("a", "1")
        try cache.delete("a")
        #expect(Self.eventually { heard.causes(of: "a") == [.deleted] })
        try cache.setRemovalListener(nil)
        try cache.put("b", "1")
        try cache.delete("b")
        cache.close()
        #expect(heard.causes(of: "b").isEmpty)
    }

    /// Returns once everything queued before has been heard: delivery is in queue order, so
    /// a sentinel's deletion, queued last, arrives last. A sentinel dropped from a full queue
    /// (counted) is sent again.
    static func drain(_ cache: Cache, _ heard: Heard) throws {
        for attempt in 0..<100 {
            let sentinel = "sentinel:\(attempt)"
            let dropped = try cache.statistics().removalsDropped
            try cache.put(sentinel, "x")
            try cache.delete(sentinel)
            if eventually({ heard.keys.withLock { $0.contains(sentinel) } }) { return }
            try #require(try cache.statistics().removalsDropped > dropped, "\(sentinel) neither heard nor dropped")
        }
        Issue.record("100 sentinels in a row were dropped from a full queue")
    }

    static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<30_000 where !condition() { usleep(1_000) }
        return condition()
    }
}

/// The queue's bound, as `trove.h` states it.
enum RemovalQueueCapacity {
    static let value = 4_096
}
