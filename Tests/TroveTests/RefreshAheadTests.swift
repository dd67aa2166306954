import FoundationEssentials
import Synchronization
import Testing
import Trove
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Refresh-ahead: after the interval, one read starts one background reload and no reader
/// waits for it; failures keep the value; writes cancel the refresh.
@Suite struct RefreshAheadTests {
    struct DatabaseDown: Error {}

    /// A loader whose calls are counted and whose reloads can be held until released.
    final class Source: Sendable {
        let calls = Atomic<Int>(0)
        let held = Atomic<Bool>(false)
        let failing = Atomic<Bool>(false)
        let absent = Atomic<Bool>(false)
        /// Calls that have returned or thrown.
        let returned = Atomic<Int>(0)

        /// Version `n` of the value, `n` counting calls from 1.
        func load() throws -> [UInt8]? {
            let call = calls.add(1, ordering: .relaxed).newValue
            defer { returned.add(1, ordering: .releasing) }
            while held.load(ordering: .acquiring) { usleep(1_000) }
            if failing.load(ordering: .relaxed) { throw DatabaseDown() }
            if absent.load(ordering: .relaxed) { return nil }
            return Array("v\(call)".utf8)
        }
    }

    static func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<30_000 {
            if try condition() { return true }
            usleep(1_000)
        }
        return try condition()
    }

    static func read(_ cache: Cache, _ source: Source) throws -> String? {
        try cache.value(forKey: "k", timeToLive: .seconds(40), refreshAfter: .seconds(10)) { try source.load() }
            .map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func thirtyTwoReadersAfterTheIntervalStartOneReloadAndNoneWaits() throws {
        try TestClock.exclusive {
            let cache = try Cache()
            let source = Source()
            #expect(try Self.read(cache, source) == "v1")
            #expect(try Self.read(cache, source) == "v1")
            #expect(source.calls.load(ordering: .relaxed) == 1)
            TestClock.advance(milliseconds: 11_000)
            // The reload is held until every reader has returned: none of them waited for it.
            source.held.store(true, ordering: .releasing)
            // Counted atomically: ThreadSanitizer does not see `Mutex`'s futex as a lock.
            let oldValues = Atomic<Int>(0)
            TestThreads.run(32) { _ in
                if (try? Self.read(cache, source)) == "v1" { oldValues.add(1, ordering: .relaxed) }
            }
            #expect(oldValues.load(ordering: .relaxed) == 32)
            #expect(Self.eventually { source.calls.load(ordering: .relaxed) == 2 })
            source.held.store(false, ordering: .releasing)
            #expect(try Self.eventually { try cache.get("k") == Array("v2".utf8) })
            let stats = try cache.statistics()
            #expect(source.calls.load(ordering: .relaxed) == 2)
            #expect(stats.refreshes == 1 && stats.refreshFailures == 0 && stats.loads == 2)
            // The reloaded value is due again only after another interval.
            #expect(try Self.read(cache, source) == "v2")
            #expect(source.calls.load(ordering: .relaxed) == 2)
        }
    }

    /// A reload that outlives every other reference to its cache closes the cache on the
    /// refresh thread itself, which cannot wait for itself: the thread is detached there
    /// (ThreadSanitizer, which runs this suite, reports a thread never joined nor detached),
    /// and the disk tier's directory is free again for the next cache.
    @Test func aReloadThatOutlivesItsCacheClosesItOnTheRefreshThread() throws {
        try TestClock.exclusive {
            let directory = try TemporaryDirectory(prefix: "trove-refresh")
            var options = CacheOptions(capacityBytes: 4 << 20)
            options.directory = directory.path
            let source = Source()
            do {
                let cache = try Cache(options: options)
                #expect(try Self.read(cache, source) == "v1")
                TestClock.advance(milliseconds: 11_000)
                source.held.store(true, ordering: .releasing)
                #expect(try Self.read(cache, source) == "v1")
                #expect(Self.eventually { source.calls.load(ordering: .relaxed) == 2 })
            }
            // Only the reload holds the cache now; once it returns, the cache closes there.
            source.held.store(false, ordering: .releasing)
            #expect(Self.eventually { (try? Cache(options: options)) != nil })
        }
    }

    @Test func aFailedReloadKeepsTheValueIsCountedAndIsTriedAgainAfterAnotherInterval() throws {
        try TestClock.exclusive {
            let cache = try Cache()
            let source = Source()
            #expect(try Self.read(cache, source) == "v1")
            TestClock.advance(milliseconds: 11_000)
            source.failing.store(true, ordering: .relaxed)
            #expect(try Self.read(cache, source) == "v1")
            #expect(try Self.eventually { try cache.statistics().refreshFailures == 1 })
            #expect(try Self.read(cache, source) == "v1")
            #expect(source.calls.load(ordering: .relaxed) == 2)
            source.failing.store(false, ordering: .relaxed)
            TestClock.advance(milliseconds: 11_000)
            #expect(try Self.read(cache, source) == "v1")
            #expect(try Self.eventually { try cache.get("k") == Array("v3".utf8) })
            let stats = try cache.statistics()
            #expect(stats.refreshes == 2 && stats.refreshFailures == 1 && stats.loadFailures == 1)
        }
    }

    @Test func aWriteCancelsTheRefreshAndAReloadFindingNothingRemovesTheValue() throws {
        try TestClock.exclusive {
            let cache = try Cache()
            let source = Source()
            #expect(try Self.read(cache, source) == "v1")
            try cache.put("k", "written")
            TestClock.advance(milliseconds: 11_000)
            #expect(try Self.read(cache, source) == "written")
            #expect(source.calls.load(ordering: .relaxed) == 1)

            try cache.delete("k")
            #expect(try Self.read(cache, source) == "v2")
            TestClock.advance(milliseconds: 11_000)
            source.absent.store(true, ordering: .relaxed)
            #expect(try Self.read(cache, source) == "v2")
            #expect(try Self.eventually { try cache.get("k") == nil })
        }
    }

    @Test func plainReadsNeverReload() throws {
        try TestClock.exclusive {
            let cache = try Cache()
            let source = Source()
            #expect(try Self.read(cache, source) == "v1")
            TestClock.advance(milliseconds: 11_000)
            #expect(try cache.get("k") == Array("v1".utf8))
            #expect(try cache.value(forKey: "k") { try source.load() } == Array("v1".utf8))
            #expect(source.calls.load(ordering: .relaxed) == 1)
        }
    }

    @Test func anIntervalNotShorterThanTheTimeToLiveIsRefused() throws {
        let cache = try Cache()
        #expect {
            try cache.value(forKey: "k", timeToLive: .seconds(5), refreshAfter: .seconds(5)) { nil }
        } throws: { ($0 as? TroveError)?.code == .invalidArgument }
        #expect(try cache.statistics().loads == 0)
    }

    @Test func closeWaitsForTheReloadInProgress() throws {
        try TestClock.exclusive {
            let cache = try Cache()
            let source = Source()
            #expect(try Self.read(cache, source) == "v1")
            TestClock.advance(milliseconds: 11_000)
            source.held.store(true, ordering: .releasing)
            #expect(try Self.read(cache, source) == "v1")
            #expect(Self.eventually { source.calls.load(ordering: .relaxed) == 2 })
            let releaser = TestThreads(1) { _ in
                usleep(100_000)
                source.held.store(false, ordering: .releasing)
            }
            cache.close()
            // close returned only after the held loader did, which the releaser let go.
            let returned = source.returned.load(ordering: .acquiring)
            #expect(returned == 2)
            releaser.join()
        }
    }

    /// Async: 32 tasks after the interval start one reload, and none waits for it.
    @Test func thirtyTwoTasksAfterTheIntervalStartOneReload() async throws {
        let cache = try Cache()
        let source = Source()
        @Sendable func read() async throws -> [UInt8]? {
            try await cache.value(forKey: Array("k".utf8), timeToLive: .seconds(3600), refreshAfter: .milliseconds(200))
            {
                let call = source.calls.add(1, ordering: .relaxed).newValue
                while source.held.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
                return Array("v\(call)".utf8)
            }
        }
        #expect(try await read() == Array("v1".utf8))
        source.held.store(true, ordering: .releasing)
        // Rounds of 32 readers until one finds the value due: other suites' TTL tests may
        // set the process-wide test clock back meanwhile (`TestClock`), postponing it.
        for _ in 0..<100 where source.calls.load(ordering: .relaxed) == 1 {
            try await Task.sleep(for: .milliseconds(300))
            let answers = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                for _ in 0..<32 { group.addTask { try await read() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers == Array(repeating: Array("v1".utf8), count: 32))
            try await Task.sleep(for: .milliseconds(50))
        }
        source.held.store(false, ordering: .releasing)
        var reloaded = false
        for _ in 0..<3_000 where !reloaded {
            reloaded = try cache.get("k") == Array("v2".utf8)
            if !reloaded { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(reloaded)
        #expect(source.calls.load(ordering: .relaxed) == 2)
        #expect(try cache.statistics().refreshes == 1)
    }
}
