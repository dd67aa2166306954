import Synchronization
import Testing
import Trove
import TroveTestSupport

/// Many threads and tasks at once: reads agree with the database, and concurrent
/// write-throughs leave no stale entry behind.
@Suite struct ConcurrentAccessTests {
    @Test func concurrentBlockingReadsEqualTheDatabase() throws {
        let fixture = try RepositoryFixture(users: 8, goalsPerUser: 5, pool: true)
        let truth = try fixture.truth()
        let repository = fixture.repository
        let (goals, users) = (try fixture.goals(), fixture.users)
        let wrong = Mutex(0)
        TestThreads.run(8) { thread in
            var random = SeededGenerator(seed: 100 + UInt64(thread))
            for _ in 0..<500 {
                let (goal, user) = goals.randomElement(using: &random)!
                let status = TaskStatus.allCases.randomElement(using: &random)!
                let right =
                    (try? repository.goal(goal, user: user)) == truth.details[goal]
                    && (try? repository.goals(user: user)) == truth.lists[user]
                    && (try? repository.dashboard(user: user)) == truth.dashboards[user]
                    && (try? repository.tasks(status, user: user)) == truth.tasks[user]?[status]
                if !right { wrong.withLock { $0 += 1 } }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
        let stats = try #require(try fixture.cache?.statistics())
        // 40 details, 8 lists, 8 dashboards and 24 task lists: at most one load each (the
        // seeding's own reads aside, there are none), whatever the threads raced.
        #expect(stats.loads <= 80)
        #expect(stats.hitRatio > 0.9)
        #expect(try fixture.answers() == truth && users.count == 8)
    }

    @Test func concurrentAsyncReadsEqualTheDatabase() async throws {
        let fixture = try RepositoryFixture(users: 8, goalsPerUser: 5, pool: true)
        let truth = try fixture.truth()
        let repository = fixture.repository
        let goals = try fixture.goals()
        let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<64 {
                group.addTask {
                    var random = SeededGenerator(seed: 200 + UInt64(index))
                    var wrong = 0
                    for _ in 0..<50 {
                        let (goal, user) = goals.randomElement(using: &random)!
                        let status = TaskStatus.allCases.randomElement(using: &random)!
                        if try await repository.goal(goal, user: user) != truth.details[goal] { wrong += 1 }
                        if try await repository.goals(user: user) != truth.lists[user] { wrong += 1 }
                        if try await repository.dashboard(user: user) != truth.dashboards[user] { wrong += 1 }
                        if try await repository.tasks(status, user: user) != truth.tasks[user]?[status] { wrong += 1 }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wrong == 0)
        #expect(try #require(try fixture.cache?.statistics()).loads <= 80)
    }

    /// 3 writer threads update and complete goals and move tasks while 3 threads read. While
    /// they run, no read returns a goal older than the last update that had returned when it
    /// began (nor a dashboard with fewer completions); after, every cached answer is the
    /// database's: no write left a stale entry behind.
    @Test func concurrentWriteThroughsLeaveEveryAnswerEqualToTheDatabase() throws {
        let fixture = try RepositoryFixture(users: 4, goalsPerUser: 5, tasksPerGoal: 2, pool: true)
        let repository = fixture.repository
        let (goals, tasks) = (try fixture.goals(), try fixture.tasks())
        let committed = CommittedVersions(goals.map(\.goal))
        let completions = Mutex<[Int64: Set<Int64>]>([:])
        let problems = Mutex<[String]>([])
        TestThreads.run(6) { thread in
            var random = SeededGenerator(seed: 300 + UInt64(thread))
            for step in 0..<300 {
                let (goal, user) = goals.randomElement(using: &random)!
                do {
                    switch (thread < 3, Int.random(in: 0..<10, using: &random)) {
                    case (true, 0):
                        let done = try repository.completeGoal(goal, user: user)
                        committed.record(done)
                        _ = completions.withLock { $0[user, default: []].insert(goal) }
                    case (true, 1...3):
                        let (task, owner) = tasks.randomElement(using: &random)!
                        let status = TaskStatus.allCases.randomElement(using: &random)!
                        try repository.setTaskStatus(task, user: owner, to: status)
                    case (true, _):
                        committed.record(try repository.updateGoal(goal, user: user, title: "t\(thread) s\(step)"))
                    case (false, _):
                        let floor = committed.version(of: goal)
                        let completed = completions.withLock { $0[user]?.count ?? 0 }
                        if let found = try repository.goal(goal, user: user), found.version < floor {
                            problems.withLock { $0.append("goal \(goal): version \(found.version) < \(floor)") }
                        }
                        if let dashboard = try repository.dashboard(user: user), dashboard.completedCount < completed {
                            problems.withLock {
                                $0.append("dashboard \(user): \(dashboard.completedCount) < \(completed)")
                            }
                        }
                        _ = try repository.tasks(.open, user: user)
                        _ = try repository.goals(user: user)
                    }
                } catch {
                    problems.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(problems.withLock { $0 } == [])
        #expect(repository.cache.errors == 0)
        #expect(try fixture.answers() == fixture.truth())
    }
}
