import GRDB
import Synchronization
import Testing
import Trove
import TroveTestSupport

/// A database error reaches the caller and is not cached: the next read queries again.
@Suite struct DatabaseErrorTests {
    @Test(arguments: [false, true])
    func aDatabaseErrorIsNotCachedAndReachesTheCaller(_ awaiting: Bool) async throws {
        let fixture = try RepositoryFixture()
        let cache = try #require(fixture.cache)
        let repository = fixture.repository
        let user = fixture.users[0]
        let key = CacheKeys.tasks(.open, user: user)
        func read() async throws -> [GoalTask] {
            if awaiting { return try await repository.tasks(.open, user: user) }
            return try { () throws -> [GoalTask] in try repository.tasks(.open, user: user) }()
        }
        try await fixture.database.write { db in try db.execute(sql: "ALTER TABLE task RENAME TO task_away") }
        for _ in 0..<2 {
            await #expect {
                _ = try await read()
            } throws: { error in
                (error as? DatabaseError)?.resultCode == .SQLITE_ERROR
                    && (error as? DatabaseError)?.message?.contains("no such table: task") == true
            }
            #expect(try !cache.contains(key))
        }
        let stats = try cache.statistics()
        #expect(stats.loads == 2 && stats.loadFailures == 2)
        #expect(repository.cache.errors == 0)

        try await fixture.database.write { db in try db.execute(sql: "ALTER TABLE task_away RENAME TO task") }
        let selects = fixture.counter.current.selects
        #expect(try await read().count == 6)
        #expect(fixture.counter.current.selects == selects + 1)
        #expect(try cache.contains(key))
        #expect(try await read().count == 6)
        #expect(fixture.counter.current.selects == selects + 1)
    }

    /// Threads reading at once while the database fails all get its error; nothing is cached.
    @Test func threadsReadingWhileTheDatabaseFailsAllGetItsError() throws {
        let fixture = try RepositoryFixture(pool: true)
        let repository = fixture.repository
        let user = fixture.users[0]
        try fixture.database.write { db in try db.execute(sql: "ALTER TABLE goal RENAME TO goal_away") }
        let failures = Mutex(0)
        TestThreads.run(8) { _ in
            for _ in 0..<20 {
                do {
                    _ = try repository.goals(user: user)
                } catch is DatabaseError {
                    failures.withLock { $0 += 1 }
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
        }
        #expect(failures.withLock { $0 } == 160)
        #expect(try fixture.cache?.contains(CacheKeys.goalList(user: user)) == false)
        #expect(repository.cache.errors == 0)
    }
}
