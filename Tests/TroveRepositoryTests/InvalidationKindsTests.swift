import Testing
import Trove

/// The three ways the repository invalidates: one key (a rename drops the profile), a
/// pattern (a task change drops the user's task lists) and a tag that cascades (deleting a
/// user drops every entry of theirs, as the database cascades to their goals and tasks).
@Suite struct InvalidationKindsTests {
    @Test func singleKey() throws {
        let fixture = try RepositoryFixture()
        let cache = try #require(fixture.cache)
        let user = fixture.users[0]
        #expect(try fixture.repository.user(user)?.name == "user 0")
        _ = try fixture.repository.goals(user: user)
        try fixture.repository.renameUser(user, to: "Ada")
        #expect(try !cache.contains(CacheKeys.profile(user: user)))
        #expect(try cache.contains(CacheKeys.goalList(user: user)))
        let (renamed, counts) = try fixture.counter.counting { try fixture.repository.user(user) }
        #expect(renamed == User(id: user, name: "Ada") && counts.selects == 1)
        #expect(throws: GoalsRepository.NotFound()) { try fixture.repository.renameUser(9_999, to: "nobody") }
    }

    @Test func pattern() throws {
        let fixture = try RepositoryFixture(users: 2)
        let cache = try #require(fixture.cache)
        let (user, other) = (fixture.users[0], fixture.users[1])
        for status in TaskStatus.allCases {
            for owner in [user, other] { _ = try fixture.repository.tasks(status, user: owner) }
        }
        _ = try fixture.repository.goals(user: user)
        let (task, _) = try #require(fixture.tasks().first { $0.user == user })
        try fixture.repository.setTaskStatus(task, user: user, to: .done)
        for status in TaskStatus.allCases {
            #expect(try !cache.contains(CacheKeys.tasks(status, user: user)))
            #expect(try cache.contains(CacheKeys.tasks(status, user: other)))
        }
        #expect(try cache.contains(CacheKeys.goalList(user: user)))
        #expect(try fixture.repository.tasks(.done, user: user).map(\.id) == [task])
        // A task of another user is not this user's to change.
        #expect(throws: GoalsRepository.NotFound()) {
            try fixture.repository.setTaskStatus(task, user: other, to: .open)
        }
    }

    @Test func cascadingTag() throws {
        let fixture = try RepositoryFixture(users: 2)
        let cache = try #require(fixture.cache)
        let (user, other) = (fixture.users[0], fixture.users[1])
        _ = try fixture.answers()
        _ = try [user, other].map { try fixture.repository.user($0) }
        let otherCount = try cache.statistics().items
        try fixture.repository.deleteUser(user)
        // Profile, 3 goals, list, dashboard and 3 task lists: 9 entries carried `user:ID`.
        #expect(try cache.statistics().items == otherCount - 9)
        #expect(try cache.statistics().tagInvalidations >= 1)
        #expect(try fixture.repository.user(user) == nil)
        #expect(try fixture.repository.goals(user: user).isEmpty)
        #expect(
            try fixture.repository.dashboard(user: user) == Dashboard(userId: user, goalCount: 0, completedCount: 0)
        )
        #expect(try TaskStatus.allCases.allSatisfy { try fixture.repository.tasks($0, user: user).isEmpty })
        let (_, counts) = try fixture.counter.counting { try fixture.repository.goals(user: other) }
        #expect(counts.statements == 0)
    }
}
