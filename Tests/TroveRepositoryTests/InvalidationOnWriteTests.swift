import Testing
import Trove

/// Writes invalidate exactly what they made stale: a new goal the list and the dashboard,
/// an update or a completion also the goal's detail, a task's status change every task
/// list of its user (by pattern); everything else stays cached.
@Suite struct InvalidationOnWriteTests {
    /// Caches, for every seeded user, each goal, the goal list, the dashboard and the task lists.
    private static func warm(_ fixture: RepositoryFixture) throws {
        let goals = try fixture.goals()
        _ = try fixture.answers(goals: goals)
        let (_, counts) = try fixture.counter.counting { try fixture.answers(goals: goals) }
        try #require(counts.statements == 0)
    }

    /// The cached keys among every entry `warm` caches for `user`.
    private static func cachedKeys(_ fixture: RepositoryFixture, user: Int64) throws -> Set<String> {
        let cache = try #require(fixture.cache)
        var keys = [CacheKeys.goalList(user: user), CacheKeys.dashboard(user: user)]
        keys += TaskStatus.allCases.map { CacheKeys.tasks($0, user: user) }
        keys += try fixture.goals().filter { $0.user == user }.map { CacheKeys.goal($0.goal, user: user) }
        return Set(try keys.filter { try cache.contains($0) })
    }

    @Test func creatingAGoalInvalidatesTheListAndTheDashboard() throws {
        let fixture = try RepositoryFixture()
        try Self.warm(fixture)
        let user = fixture.users[0]
        let before = try Self.cachedKeys(fixture, user: user)
        let goal = try fixture.repository.createGoal(user: user, title: "learn Swift")
        let stale: Set = [CacheKeys.goalList(user: user), CacheKeys.dashboard(user: user)]
        #expect(try Self.cachedKeys(fixture, user: user) == before.subtracting(stale))
        #expect(try Self.cachedKeys(fixture, user: fixture.users[1]).count == 8)
        #expect(try fixture.repository.goals(user: user).last == goal)
        #expect(try fixture.repository.dashboard(user: user)?.goalCount == 4)
        #expect(try fixture.answers() == fixture.truth())
    }

    @Test(arguments: ["update", "completion"])
    func changingAGoalInvalidatesItsDetailTheListAndTheDashboard(_ change: String) throws {
        let fixture = try RepositoryFixture()
        try Self.warm(fixture)
        let user = fixture.users[1]
        let (goal, _) = try #require(fixture.goals().first { $0.user == user })
        let sibling = try #require(fixture.goals().last { $0.user == user }).goal
        let before = try Self.cachedKeys(fixture, user: user)
        let changed =
            change == "update"
            ? try fixture.repository.updateGoal(goal, user: user, title: "renamed")
            : try fixture.repository.completeGoal(goal, user: user)
        #expect(changed.version == 2)
        let stale: Set = [
            CacheKeys.goal(goal, user: user), CacheKeys.goalList(user: user), CacheKeys.dashboard(user: user),
        ]
        #expect(try Self.cachedKeys(fixture, user: user) == before.subtracting(stale))
        #expect(try Self.cachedKeys(fixture, user: user).contains(CacheKeys.goal(sibling, user: user)))
        let (detail, counts) = try fixture.counter.counting { try fixture.repository.goal(goal, user: user) }
        #expect(detail == changed && counts.selects == 1)
        #expect(try fixture.repository.goals(user: user).first == changed)
        #expect(try fixture.repository.dashboard(user: user)?.completedCount == (change == "update" ? 0 : 1))
        #expect(try fixture.answers() == fixture.truth())
    }

    @Test func aTaskStatusChangeInvalidatesTheUsersTaskListsByPattern() throws {
        // Users 1 to 12, so that user 1's pattern `user:tasks:*:1` meets keys ending in `:11` and `:12`.
        let fixture = try RepositoryFixture(users: 12, goalsPerUser: 1, tasksPerGoal: 2)
        try Self.warm(fixture)
        let user = fixture.users[0]
        let neighbours = fixture.users.filter { String($0).hasPrefix(String(user)) && $0 != user }
        try #require(user == 1 && neighbours == [10, 11, 12])
        let (task, _) = try #require(fixture.tasks().first { $0.user == user })
        let before = try Self.cachedKeys(fixture, user: user)
        try fixture.repository.setTaskStatus(task, user: user, to: .inProgress)
        let taskLists = Set(TaskStatus.allCases.map { CacheKeys.tasks($0, user: user) })
        #expect(try Self.cachedKeys(fixture, user: user) == before.subtracting(taskLists))
        for neighbour in neighbours { #expect(try Self.cachedKeys(fixture, user: neighbour).count == 6) }
        #expect(try fixture.repository.tasks(.inProgress, user: user).map(\.id) == [task])
        #expect(try fixture.repository.tasks(.open, user: user).count == 1)
        #expect(try fixture.answers() == fixture.truth())
    }
}
