import Testing
import Trove

/// Reads: a miss queries the database once and caches; a hit queries nothing; a goal and
/// the list holding it are separate entries.
@Suite struct CachingTests {
    @Test func aHitAnswersWithoutADatabaseQuery() throws {
        let fixture = try RepositoryFixture()
        let user = fixture.users[0]
        let (first, _) = try fixture.counter.counting { try fixture.repository.goals(user: user) }
        let (second, counts) = try fixture.counter.counting { try fixture.repository.goals(user: user) }
        #expect(second == first && second.count == 3)
        #expect(counts == QueryCounter.Counts(statements: 0, selects: 0))
        let (_, dashboardCounts) = try fixture.counter.counting {
            _ = try fixture.repository.dashboard(user: user)
            return try fixture.repository.dashboard(user: user)
        }
        #expect(dashboardCounts.selects == 1)
        #expect(try fixture.cache?.statistics().hits ?? 0 >= 2)
    }

    @Test func aMissQueriesOnceAndCaches() throws {
        let fixture = try RepositoryFixture()
        let cache = try #require(fixture.cache)
        let (user, goal) = (fixture.users[1], try fixture.goals()[3].goal)
        let key = CacheKeys.goal(goal, user: user)
        #expect(try !cache.contains(key))
        let (found, counts) = try fixture.counter.counting { try fixture.repository.goal(goal, user: user) }
        #expect(counts.selects == 1)
        #expect(found?.id == goal && found?.userId == user)
        #expect(try cache.contains(key))
        #expect(try cache.get(key, as: Goal.self) == found)
        #expect(try cache.statistics().loads == 1)
        // A goal that does not exist is a query every time: nothing is cached for it.
        let (missing, missingCounts) = try fixture.counter.counting {
            [try fixture.repository.goal(9_999, user: user), try fixture.repository.goal(9_999, user: user)]
        }
        #expect(missing == [nil, nil] && missingCounts.selects == 2)
        #expect(try !cache.contains(CacheKeys.goal(9_999, user: user)))
    }

    @Test func aGoalAndItsListAreCachedSeparately() throws {
        let fixture = try RepositoryFixture()
        let cache = try #require(fixture.cache)
        let user = fixture.users[0]
        let goal = try #require(fixture.repository.goals(user: user).first)
        // The list is cached, the goal it holds is not: reading the goal queries.
        let (detail, counts) = try fixture.counter.counting { try fixture.repository.goal(goal.id, user: user) }
        #expect(detail == goal && counts.selects == 1)
        #expect(
            try cache.contains(CacheKeys.goalList(user: user)) && cache.contains(CacheKeys.goal(goal.id, user: user))
        )
        // Dropping one entry leaves the other.
        try cache.delete(CacheKeys.goal(goal.id, user: user))
        let (list, listCounts) = try fixture.counter.counting { try fixture.repository.goals(user: user) }
        #expect(list.first == goal && listCounts.statements == 0)
        // Each user's entries are their own.
        let other = fixture.users[1]
        let (otherList, otherCounts) = try fixture.counter.counting { try fixture.repository.goals(user: other) }
        #expect(otherCounts.selects == 1 && otherList.allSatisfy { $0.userId == other })
    }

    @Test func asyncReadsShareTheCacheWithBlockingOnes() async throws {
        let fixture = try RepositoryFixture()
        let user = fixture.users[2]
        let repository = fixture.repository
        let blocking = try { () throws -> [GoalTask] in try repository.tasks(.open, user: user) }()
        let before = fixture.counter.current
        let awaited = try await repository.tasks(.open, user: user)
        #expect(awaited == blocking && awaited.count == 6)
        #expect(fixture.counter.current == before)
        let dashboard = try await repository.dashboard(user: user)
        #expect(dashboard == Dashboard(userId: user, goalCount: 3, completedCount: 0))
        #expect(fixture.counter.current.selects == before.selects + 1)
        #expect(try { () throws -> Dashboard? in try repository.dashboard(user: user) }() == dashboard)
        #expect(fixture.counter.current.selects == before.selects + 1)
    }
}
