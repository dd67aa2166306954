import Foundation
import GRDB
import Synchronization
import Testing
import Trove
import TroveTestSupport

/// A cache that fails degrades to the database, never to a wrong answer: closed before or
/// while the repository runs, with a disk tier whose files are corrupted or frozen, on a
/// directory it cannot use, or holding bytes that no longer decode.
@Suite struct CacheFailureTests {
    @Test func aClosedCacheDegradesToTheDatabase() throws {
        let fixture = try RepositoryFixture()
        let cache = try #require(fixture.cache)
        _ = try fixture.answers()
        cache.close()
        #expect(throws: TroveError.self) { try cache.get("anything") }
        let user = fixture.users[0]
        let goal = try #require(fixture.goals().first).goal
        let (detail, counts) = try fixture.counter.counting { try fixture.repository.goal(goal, user: user) }
        #expect(detail?.id == goal && counts.selects == 1)
        #expect(fixture.repository.cache.errors >= 1)
        // Writes still commit; the failed invalidation turns the cache off for good.
        _ = try fixture.repository.completeGoal(goal, user: user)
        try fixture.repository.setTaskStatus(try #require(fixture.tasks().first).task, user: user, to: .done)
        #expect(fixture.repository.cache.isBypassed)
        #expect(try fixture.answers() == fixture.truth())
    }

    /// Closing the cache while 4 threads read and write: every read succeeds, each goal is at
    /// least as recent as the last update that had returned when the read began, and once
    /// the writes stop every answer is the database's.
    @Test func aCacheClosedMidWayDegradesToTheDatabase() throws {
        let fixture = try RepositoryFixture(users: 4, goalsPerUser: 4, pool: true)
        let cache = try #require(fixture.cache)
        let repository = fixture.repository
        let goals = try fixture.goals()
        let committed = CommittedVersions(goals.map(\.goal))
        let errors = Mutex<[String]>([])
        TestThreads.run(4) { thread in
            var random = SeededGenerator(seed: UInt64(thread))
            for step in 0..<400 {
                if thread == 0 && step == 200 { cache.close() }
                let (goal, user) = goals.randomElement(using: &random)!
                do {
                    if thread == 0 && step % 4 == 0 {
                        committed.record(try repository.updateGoal(goal, user: user, title: "step \(step)"))
                    } else {
                        let floor = committed.version(of: goal)
                        let found = try repository.goal(goal, user: user)
                        if (found?.version ?? 0) < floor { errors.withLock { $0.append("goal \(goal) went back") } }
                    }
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(errors.withLock { $0 } == [])
        #expect(repository.cache.errors > 0)
        #expect(try fixture.answers() == fixture.truth())
    }

    /// A disk tier whose file is overwritten after entries went to it: every record fails
    /// its checksum and is a miss, answered by the database.
    @Test func aCorruptedDiskTierDegradesToTheDatabase() throws {
        let fixture = try RepositoryFixture(
            users: 20,
            goalsPerUser: 10,
            tasksPerGoal: 0,
            cacheOptions: Self.smallDiskCache,
            diskTier: true
        )
        let cache = try #require(fixture.cache)
        try Self.pushToDisk(fixture)
        let regions = fixture.cacheDirectory + "/trove-cold.regions"
        try Self.invertEveryByte(of: regions)
        let (answers, counts) = try fixture.counter.counting { try fixture.answers() }
        #expect(answers == (try fixture.truth()))
        #expect(counts.selects > 0)
        let disk = try #require(try cache.statistics().disk)
        #expect(disk.checksumFailures > 0 || disk.readErrors > 0, "\(disk)")
    }

    /// A disk tier whose directory and files become unwritable while the cache runs (the
    /// immutable attribute: root ignores permission bits): demotions fail, the tier goes out
    /// of service, and every answer, before and after writes, is the database's.
    @Test(.enabled(if: FrozenFiles.areAvailable, "needs chattr +i to make files unwritable to root"))
    func aDiskTierGoneUnwritableDegradesToTheDatabase() throws {
        let fixture = try RepositoryFixture(
            users: 20,
            goalsPerUser: 10,
            tasksPerGoal: 1,
            cacheOptions: Self.smallDiskCache,
            diskTier: true
        )
        let cache = try #require(fixture.cache)
        try Self.pushToDisk(fixture)
        let frozen = FrozenFiles.contents(of: fixture.cacheDirectory)
        try #require(FrozenFiles.freeze(frozen, true))
        defer { FrozenFiles.freeze(frozen, false) }
        // More demotions, which now fail.
        for index in 0..<2_000 { try? cache.put("filler:after:\(index)", [UInt8](repeating: 7, count: 1_000)) }
        _ = try? cache.flush()
        #expect(try cache.statistics().disk?.isHealthy == false)
        #expect(try fixture.answers() == fixture.truth())
        for (goal, user) in try fixture.goals().prefix(20) { _ = try fixture.repository.completeGoal(goal, user: user) }
        for (task, user) in try fixture.tasks().prefix(20) {
            try fixture.repository.setTaskStatus(task, user: user, to: .done)
        }
        // A pattern's invalidation must be logged on the disk, which fails: the cache is bypassed.
        #expect(fixture.repository.cache.isBypassed)
        #expect(try fixture.answers() == fixture.truth())
        cache.close()
    }

    /// A directory the cache cannot use (a regular file here): the repository opened with
    /// those options works, in memory or uncached.
    @Test func aCacheDirectoryThatCannotBeUsedDegrades() throws {
        let fixture = try RepositoryFixture(cacheOptions: nil)
        var options = CacheOptions(capacityBytes: 4 << 20)
        options.directory = try fixture.directory.makeFile("not-a-directory", bytes: [1, 2, 3])
        let repository = GoalsRepository(database: fixture.database, cacheOptions: options)
        let goals = try fixture.goals()
        let users = fixture.users
        #expect(try Answers(repository: repository, goals: goals, users: users) == fixture.truth())
        _ = try repository.completeGoal(goals[0].goal, user: goals[0].user)
        #expect(try Answers(repository: repository, goals: goals, users: users) == fixture.truth())
        if let cache = repository.cache.cache {
            #expect(try cache.statistics().disk?.isHealthy == false)
        }
    }

    /// Bytes cached under a repository key that no longer decode (a value of an older
    /// shape): dropped and answered by the database, then cached anew.
    @Test func anUndecodableCachedValueIsReplacedFromTheDatabase() throws {
        let fixture = try RepositoryFixture()
        let cache = try #require(fixture.cache)
        let user = fixture.users[0]
        let key = CacheKeys.dashboard(user: user)
        try cache.put(key, #"{"userId":1,"goals":3}"#, tags: [CacheTags.user(user), CacheTags.dashboard(user: user)])
        let (dashboard, counts) = try fixture.counter.counting { try fixture.repository.dashboard(user: user) }
        #expect(dashboard == Dashboard(userId: user, goalCount: 3, completedCount: 0) && counts.selects == 1)
        #expect(fixture.repository.cache.errors == 1)
        _ = try fixture.repository.dashboard(user: user)
        #expect(try cache.get(key, as: Dashboard.self) == dashboard)
    }

    /// 1 MiB of memory, so that a few thousand small entries reach the disk.
    private static var smallDiskCache: CacheOptions {
        var options = CacheOptions(capacityBytes: 1 << 20)
        options.diskCapacityBytes = 64 << 20
        options.compressionThreshold = 0
        return options
    }

    /// Caches every answer, then puts 16 MB more: the answers go to disk, in regions (4 MiB)
    /// that the disk tier has written to its file and no longer holds in memory.
    private static func pushToDisk(_ fixture: RepositoryFixture) throws {
        let cache = try #require(fixture.cache)
        _ = try fixture.answers()
        for index in 0..<16_000 { try cache.put("filler:\(index)", [UInt8](repeating: 1, count: 1_000)) }
        try cache.flush()
        let disk = try #require(try cache.statistics().disk)
        let pushed = disk.demotions > 0 && disk.bytesWritten > 3 * disk.regionSize && disk.isHealthy
        try #require(pushed)
    }

    private static func invertEveryByte(of path: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        var offset: UInt64 = 0
        while true {
            try handle.seek(toOffset: offset)
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: Data(chunk.map { ~$0 }))
            offset += UInt64(chunk.count)
        }
        try handle.synchronize()
    }
}

/// The newest version of each goal that an update has returned: a floor for later reads.
final class CommittedVersions: Sendable {
    private let versions: Mutex<[Int64: Int]>

    init(_ goals: [Int64]) {
        versions = Mutex(Dictionary(uniqueKeysWithValues: goals.map { ($0, 1) }))
    }

    func record(_ goal: Goal) {
        versions.withLock { $0[goal.id] = max($0[goal.id] ?? 0, goal.version) }
    }

    func version(of goal: Int64) -> Int {
        versions.withLock { $0[goal] ?? 0 }
    }
}
