import Testing
import Trove
import TroveTestSupport

/// Each class of entry lives as long as its class says: task lists 2 minutes, models
/// (profiles, goals, goal lists, dashboards) 3 days, checked on the test clock.
///
/// `TestClock` moves at most 45 s (other suites' TTLs of a minute share the process-wide
/// clock), so the 2-minute class cannot be run past here: one test checks that the
/// standard classes hold across those 45 s and hand their durations to the cache's
/// entries, the other runs classes scaled to fit (10 s and 40 s) past each boundary.
@Suite struct TimeToLiveTests {
    @Test func theStandardClassesAreMinutesForTasksAndDaysForModels() throws {
        #expect(CacheTimeToLives.standard.tasks == .seconds(120))
        #expect(CacheTimeToLives.standard.models == .seconds(259_200))
        let fixture = try RepositoryFixture()
        let repository = fixture.repository
        try TestClock.exclusive {
            let goals = try fixture.goals()
            let cached = try fixture.answers(goals: goals)
            TestClock.advance(milliseconds: 44_000)
            let (later, counts) = try fixture.counter.counting { try fixture.answers(goals: goals) }
            #expect(later == cached && counts.statements == 0)
        }
        #expect(repository.timeToLives == .standard)
    }

    @Test func taskListsExpireBeforeModels() throws {
        let scaled = CacheTimeToLives(tasks: .seconds(10), models: .seconds(40))
        let fixture = try RepositoryFixture(users: 1, timeToLives: scaled)
        let user = fixture.users[0]
        let goal = try #require(fixture.goals().first).goal
        func readModels() throws {
            _ = try fixture.repository.user(user)
            _ = try fixture.repository.goal(goal, user: user)
            _ = try fixture.repository.goals(user: user)
            _ = try fixture.repository.dashboard(user: user)
        }
        func readTasks() throws {
            for status in TaskStatus.allCases { _ = try fixture.repository.tasks(status, user: user) }
        }
        func readAll() throws {
            try readModels()
            try readTasks()
        }
        /// The `SELECT`s `read` ran, at `advance` ms more on the clock.
        func selects(after advance: UInt64, _ read: () throws -> Void) throws -> Int {
            TestClock.advance(milliseconds: advance)
            return try fixture.counter.counting(read).1.selects
        }
        try TestClock.exclusive {
            let loaded = try selects(after: 0, readAll)
            let at9Seconds = try selects(after: 9_000, readAll)
            let tasksAt11Seconds = try selects(after: 2_000, readTasks)  // task lists expired, models not
            let modelsAt11Seconds = try selects(after: 0, readModels)
            let modelsAt39Seconds = try selects(after: 28_000, readModels)
            // Models expired, and so have the task lists reloaded at 11 s.
            let modelsAt41Seconds = try selects(after: 2_000, readModels)
            let tasksAt41Seconds = try selects(after: 0, readTasks)
            #expect(loaded == 7 && at9Seconds == 0)
            #expect(tasksAt11Seconds == 3 && modelsAt11Seconds == 0)
            #expect(modelsAt39Seconds == 0)
            #expect(modelsAt41Seconds == 4 && tasksAt41Seconds == 3)
            let expirations = try #require(try fixture.cache?.statistics()).expirations
            #expect(expirations >= 10)
        }
    }
}
