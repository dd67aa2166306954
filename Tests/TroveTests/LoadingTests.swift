import FoundationEssentials
import Synchronization
import Testing
import Trove
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Read-through loading: single flight, errors, stale fills, recursion, absent keys.
@Suite struct LoadingTests {
    struct DatabaseDown: Error, Equatable {}

    /// Waits (polling, up to 30 s) until `condition` holds; whether it did.
    static func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<30_000 {
            if try condition() { return true }
            usleep(1_000)
        }
        return try condition()
    }

    @Test func sixtyFourThreadsMissingOneKeyRunTheLoaderOnce() throws {
        let cache = try Cache()
        let calls = Atomic<Int>(0)
        let results = Locked<[[UInt8]?]>([])
        TestThreads.run(64) { _ in
            let value = try? cache.value(forKey: "hot") { () throws -> [UInt8]? in
                calls.add(1, ordering: .relaxed)
                // Hold the load until every other thread waits for it, so that all 64 miss at once.
                _ = Self.eventually { (try? cache.statistics().loadWaiters) == 63 }
                return Array("loaded".utf8)
            }
            results.withLock { $0.append(value) }
        }
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(results.withLock { $0 } == Array(repeating: Array("loaded".utf8), count: 64))
        let stats = try cache.statistics()
        #expect(stats.loads == 1 && stats.loadWaiters == 63 && stats.loadFailures == 0)
        #expect(try cache.get("hot") == Array("loaded".utf8))
    }

    @Test func aFailingLoaderReachesEveryWaiterAndIsNotCached() throws {
        let cache = try Cache()
        let calls = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        TestThreads.run(64) { _ in
            do {
                _ = try cache.value(forKey: "down") { () throws -> [UInt8]? in
                    calls.add(1, ordering: .relaxed)
                    _ = Self.eventually { (try? cache.statistics().loadWaiters) == 63 }
                    throw DatabaseDown()
                }
            } catch is DatabaseDown {
                failures.add(1, ordering: .relaxed)
            } catch {}
        }
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(failures.load(ordering: .relaxed) == 64)
        #expect(try cache.get("down") == nil)
        // Not cached: the next call loads again.
        #expect(try cache.value(forKey: "down") { [7] } == [7])
        let stats = try cache.statistics()
        #expect(stats.loads == 2 && stats.loadFailures == 1)
    }

    final class Calls: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func sixtyFourTasksMissingOneKeyRunTheAsyncLoaderOnce() async throws {
        let cache = try Cache()
        let calls = Calls()
        let values = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    try await cache.value(forKey: "hot") { () async throws -> [UInt8]? in
                        calls.count.add(1, ordering: .relaxed)
                        while try cache.statistics().loadWaiters < 63 { try await Task.sleep(for: .milliseconds(1)) }
                        return [1, 2, 3]
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(calls.count.load(ordering: .relaxed) == 1)
        #expect(values == Array(repeating: [1, 2, 3], count: 64))
    }

    /// An async leader and threads blocked in the synchronous form share one load. The
    /// leader runs in the test's own task, and waits by suspending: tests that block the
    /// cooperative pool's few threads cannot starve it.
    @Test func threadsAndTasksShareOneLoad() async throws {
        let cache = try Cache()
        let calls = Calls()
        let threadValues = Locked<[[UInt8]?]>([])
        let waiters = Locked<TestThreads?>(nil)
        let value = try await cache.value(forKey: "mixed") { () async throws -> [UInt8]? in
            calls.count.add(1, ordering: .relaxed)
            let threads = TestThreads(8) { _ in
                let value = try? cache.value(forKey: "mixed") { () throws -> [UInt8]? in
                    calls.count.add(1, ordering: .relaxed)
                    return [0]
                }
                threadValues.withLock { $0.append(value) }
            }
            waiters.withLock { $0 = threads }
            while try cache.statistics().loadWaiters < 8 { try await Task.sleep(for: .milliseconds(1)) }
            return [9]
        }
        #expect(value == [9])
        waiters.withLock { $0?.join() }
        #expect(threadValues.withLock { $0 } == Array(repeating: [9], count: 8))
        #expect(calls.count.load(ordering: .relaxed) == 1)
    }

    /// A writer updates the "database" and then invalidates (by key, prefix, pattern, tag
    /// or everything) while readers load through the cache: a read that starts after the
    /// invalidation returned never sees a version older than the one it invalidated for.
    @Test(arguments: ["key", "prefix", "glob", "tag", "all"])
    func aLoadThatRacedAnInvalidationNeverCachesTheOldValue(_ how: String) throws {
        let cache = try Cache()
        let database = Atomic<Int>(0)
        let invalidated = Atomic<Int>(0)
        let stale = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let key = "user:goals:7:user123"
        let readers = TestThreads(3) { _ in
            var spins = 0
            while !stop.load(ordering: .relaxed) {
                let floor = invalidated.load(ordering: .sequentiallyConsistent)
                let bytes = try? cache.value(forKey: key, tags: ["user123"]) { () throws -> [UInt8]? in
                    let version = database.load(ordering: .sequentiallyConsistent)
                    spins += 1
                    if spins % 3 == 0 { sched_yield() }
                    return withUnsafeBytes(of: version) { Array($0) }
                }
                guard let bytes else { continue }
                let version = bytes.withUnsafeBytes { $0.load(as: Int.self) }
                if version < floor { stale.add(1, ordering: .relaxed) }
            }
        }
        for round in 1...2_000 {
            database.store(round, ordering: .sequentiallyConsistent)
            switch how {
            case "key": try cache.delete(key)
            case "prefix": _ = try cache.invalidate(prefix: "user:goals:")
            case "glob": _ = try cache.invalidate(matching: "user:goals:*:user123")
            case "tag": _ = try cache.invalidate(tag: "user123")
            default: try cache.removeAll()
            }
            invalidated.store(round, ordering: .sequentiallyConsistent)
            if round % 4 == 0 { sched_yield() }
        }
        stop.store(true, ordering: .relaxed)
        readers.join()
        #expect(stale.load(ordering: .relaxed) == 0)
        #expect(try cache.statistics().loads > 0)
    }

    @Test func aPutRacingALoadWins() throws {
        let cache = try Cache()
        let loading = Atomic<Bool>(false)
        let release = Atomic<Bool>(false)
        let loaded = Locked<[UInt8]?>(nil)
        let reader = TestThreads(1) { _ in
            let value = try? cache.value(forKey: "k") { () throws -> [UInt8]? in
                loading.store(true, ordering: .releasing)
                while !release.load(ordering: .acquiring) { usleep(100) }
                return Array("old".utf8)
            }
            loaded.withLock { $0 = value }
        }
        #expect(Self.eventually { loading.load(ordering: .acquiring) })
        try cache.put("k", "new")
        release.store(true, ordering: .releasing)
        reader.join()
        // The loader's caller gets what it loaded; the cache keeps the put's value.
        #expect(loaded.withLock { $0 } == Array("old".utf8))
        #expect(try cache.getString("k") == "new")
    }

    /// Batched writes reach loads in progress as single ones do: a put in a batch wins over
    /// a racing load, and a delete in a batch keeps the load's value out of the cache.
    @Test(arguments: ["put", "delete"])
    func aBatchedWriteRacingALoadWins(_ how: String) throws {
        let cache = try Cache()
        let loading = Atomic<Bool>(false)
        let release = Atomic<Bool>(false)
        let reader = TestThreads(1) { _ in
            _ = try? cache.value(forKey: "k") { () throws -> [UInt8]? in
                loading.store(true, ordering: .releasing)
                while !release.load(ordering: .acquiring) { usleep(100) }
                return Array("old".utf8)
            }
        }
        #expect(Self.eventually { loading.load(ordering: .acquiring) })
        if how == "put" {
            _ = try cache.put(many: [(key: "other", value: "x"), (key: "k", value: "new")])
        } else {
            _ = try cache.delete(many: ["other", "k"])
        }
        release.store(true, ordering: .releasing)
        reader.join()
        #expect(try cache.getString("k") == (how == "put" ? "new" : nil))
    }

    @Test func aLoaderAskingForItsOwnKeyGetsAnErrorInsteadOfWaitingForItself() throws {
        let cache = try Cache()
        let inner = Locked<TroveError?>(nil)
        let value = try cache.value(forKey: "self") { () throws -> [UInt8]? in
            do {
                _ = try cache.value(forKey: "self") { [0] }
            } catch let error as TroveError {
                inner.withLock { $0 = error }
            }
            // Other keys load normally from inside a loader.
            return try cache.value(forKey: "other") { [2] }.map { $0 + [1] }
        }
        #expect(value == [2, 1])
        #expect(inner.withLock { $0?.code } == .invalidArgument)
        #expect(try cache.get("other") == [2])
    }

    @Test func anAsyncLoaderAskingForItsOwnKeyGetsAnError() async throws {
        let cache = try Cache()
        let value = try await cache.value(forKey: "self") { () async throws -> [UInt8]? in
            await #expect(throws: TroveError.self) {
                _ = try await cache.value(forKey: "self") { () async throws -> [UInt8]? in [0] }
            }
            return [3]
        }
        #expect(value == [3])
    }

    /// Two threads whose loaders each wait for the other's key: one of them is refused
    /// instead of both hanging forever.
    @Test func loadersWaitingForEachOtherAreRefusedNotDeadlocked() throws {
        let cache = try Cache()
        let started = Atomic<Int>(0)
        let refused = Atomic<Int>(0)
        let threads = TestThreads(2) { index in
            let mine = index == 0 ? "x" : "y"
            let theirs = index == 0 ? "y" : "x"
            _ = try? cache.value(forKey: mine) { () throws -> [UInt8]? in
                started.add(1, ordering: .relaxed)
                _ = Self.eventually { started.load(ordering: .relaxed) == 2 }
                do {
                    return try cache.value(forKey: theirs) { [1] }
                } catch let error as TroveError where error.code == .invalidArgument {
                    // The refused loader falls back to a value of its own, which the other gets.
                    refused.add(1, ordering: .relaxed)
                    return [2]
                }
            }
        }
        threads.join()
        #expect(refused.load(ordering: .relaxed) == 1)
        #expect(try cache.get("x") != nil && cache.get("y") != nil)
    }

    @Test func absentKeysAreRememberedForTheirTimeToLive() throws {
        try TestClock.exclusive {
            var options = CacheOptions()
            options.absentTimeToLive = .seconds(10)
            let cache = try Cache(options: options)
            let calls = Atomic<Int>(0)
            let loader = { () throws -> [UInt8]? in
                calls.add(1, ordering: .relaxed)
                return nil
            }
            #expect(try cache.value(forKey: "nobody", loader: loader) == nil)
            #expect(try cache.value(forKey: "nobody", loader: loader) == nil)
            #expect(calls.load(ordering: .relaxed) == 1)
            #expect(try cache.statistics().loadAbsentHits == 1)
            TestClock.advance(milliseconds: 10_001)
            #expect(try cache.value(forKey: "nobody", loader: loader) == nil)
            #expect(calls.load(ordering: .relaxed) == 2)
            // A write forgets the key's absence.
            try cache.put("nobody", "somebody")
            try cache.delete("nobody")
            #expect(try cache.value(forKey: "nobody", loader: loader) == nil)
            #expect(calls.load(ordering: .relaxed) == 3)
        }
    }

    @Test func withoutAnAbsentTimeToLiveNothingIsRemembered() throws {
        let cache = try Cache()
        let calls = Atomic<Int>(0)
        for _ in 0..<3 {
            _ = try cache.value(forKey: "nobody") { () throws -> [UInt8]? in
                calls.add(1, ordering: .relaxed)
                return nil
            }
        }
        #expect(calls.load(ordering: .relaxed) == 3)
    }

    @Test func loadedValuesExpireWithTheirTimeToLive() throws {
        try TestClock.exclusive {
            let cache = try Cache()
            #expect(try cache.value(forKey: "t", timeToLive: .seconds(5)) { [1] } == [1])
            #expect(try cache.get("t") == [1])
            TestClock.advance(milliseconds: 5_001)
            #expect(try cache.get("t") == nil)
        }
    }

    @Test func loadTimeIsInTheMetricsText() throws {
        let cache = try Cache()
        _ = try cache.value(forKey: "m") { [1] }
        let text = try cache.metricsText()
        #expect(text.contains("trove_loads_total 1\n"))
        #expect(text.contains("trove_load_seconds_count 1\n"))
        #expect(text.contains("trove_load_seconds_bucket{le=\"+Inf\"} 1\n"))
    }
}
