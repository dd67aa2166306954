import GRDB
import Trove

/// The goals service's data layer: users, their goals and the goals' tasks in SQLite, with
/// goal details, goal lists, dashboards, profiles and task lists cached per user in Trove.
///
/// Reads are cache-aside through Trove's single-flight loaders; writes commit, then
/// invalidate what they made stale (`GoalsRepository+Writes.swift`). Every method may be
/// called from any thread or task at once.
final class GoalsRepository: Sendable {
    let database: any DatabaseWriter
    let cache: RepositoryCache
    let timeToLives: CacheTimeToLives

    /// A repository over `database`, caching in `cache` (`nil`: every read queries).
    init(database: any DatabaseWriter, cache: Cache?, timeToLives: CacheTimeToLives = .standard) {
        self.database = database
        self.cache = RepositoryCache(cache)
        self.timeToLives = timeToLives
    }

    /// A repository whose cache is opened with `options`; if it cannot be opened (a bad
    /// directory, no memory), the repository works uncached rather than not at all.
    convenience init(
        database: any DatabaseWriter,
        cacheOptions: CacheOptions,
        timeToLives: CacheTimeToLives = .standard
    ) {
        self.init(database: database, cache: try? Cache(options: cacheOptions), timeToLives: timeToLives)
    }

    // MARK: Reads, blocking

    func user(_ user: Int64) throws -> User? { try value(.profile(user: user, timeToLives)) }

    func goal(_ goal: Int64, user: Int64) throws -> Goal? { try value(.goal(goal, user: user, timeToLives)) }

    func goals(user: Int64) throws -> [Goal] { try value(.goalList(user: user, timeToLives)) ?? [] }

    func dashboard(user: Int64) throws -> Dashboard? { try value(.dashboard(user: user, timeToLives)) }

    func tasks(_ status: TaskStatus, user: Int64) throws -> [GoalTask] {
        try value(.tasks(status, user: user, timeToLives)) ?? []
    }

    // MARK: Reads, async

    func goal(_ goal: Int64, user: Int64) async throws -> Goal? {
        try await value(.goal(goal, user: user, timeToLives))
    }

    func goals(user: Int64) async throws -> [Goal] { try await value(.goalList(user: user, timeToLives)) ?? [] }

    func dashboard(user: Int64) async throws -> Dashboard? { try await value(.dashboard(user: user, timeToLives)) }

    func tasks(_ status: TaskStatus, user: Int64) async throws -> [GoalTask] {
        try await value(.tasks(status, user: user, timeToLives)) ?? []
    }

    private func value<Value>(_ query: RepositoryQuery<Value>) throws -> Value? {
        try cache.value(query) { try database.read(query.fetch) }
    }

    private func value<Value>(_ query: RepositoryQuery<Value>) async throws -> Value? {
        try await cache.value(query) { try await database.read(query.fetch) }
    }
}
