import Foundation
import GRDB
import Trove
import TroveTestSupport

/// A repository over a fresh SQLite file in its own directory, seeded with users, goals and
/// tasks, with the query counter that traces its connection(s).
final class RepositoryFixture {
    let directory: TemporaryDirectory
    let counter = QueryCounter()
    let database: any DatabaseWriter
    let cache: Cache?
    let repository: GoalsRepository
    /// The seeded users' ids, each with `goalsPerUser` goals of `tasksPerGoal` open tasks.
    let users: [Int64]

    /// The disk tier's directory, apart from the database's (with `diskTier`).
    var cacheDirectory: String { directory.path + "/cache" }

    /// - Parameters:
    ///   - pool: A `DatabasePool` (concurrent readers) rather than a `DatabaseQueue`.
    ///   - cacheOptions: The cache's options, or `nil` for an uncached repository.
    ///   - diskTier: Whether the cache gets a disk tier, in the directory `cacheDirectory`.
    init(
        users userCount: Int = 3,
        goalsPerUser: Int = 3,
        tasksPerGoal: Int = 2,
        pool: Bool = false,
        cacheOptions: CacheOptions? = CacheOptions(capacityBytes: 8 << 20),
        diskTier: Bool = false,
        timeToLives: CacheTimeToLives = .standard
    ) throws {
        directory = try TemporaryDirectory(prefix: "trove-repository")
        let cacheDirectory = directory.path + "/cache"
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: false)
        var cacheOptions = cacheOptions
        if diskTier { cacheOptions?.directory = cacheDirectory }
        let path = directory.path + "/goals.sqlite"
        database =
            pool
            ? try GoalsDatabase.pool(at: path, counter: counter) : try GoalsDatabase.queue(at: path, counter: counter)
        cache = try cacheOptions.map { try Cache(options: $0) }
        repository = GoalsRepository(database: database, cache: cache, timeToLives: timeToLives)
        users = try Self.seed(database, userCount, goalsPerUser, tasksPerGoal)
    }

    /// What the database holds now, read past the cache: what every read must equal once writes stop.
    func truth() throws -> Answers {
        try Answers(database: database, goals: goals(), users: users)
    }

    /// What the repository answers now for every seeded user and goal.
    func answers() throws -> Answers {
        try answers(goals: goals())
    }

    /// What the repository answers now for every seeded user and for `goals`: no query of
    /// its own, so that a test can count the repository's.
    func answers(goals: [(goal: Int64, user: Int64)]) throws -> Answers {
        try Answers(repository: repository, goals: goals, users: users)
    }

    /// Every seeded goal, as (goal, user) pairs.
    func goals() throws -> [(goal: Int64, user: Int64)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, userId FROM goal ORDER BY id").map { ($0["id"], $0["userId"]) }
        }
    }

    /// Every seeded task, as (task, user) pairs.
    func tasks() throws -> [(task: Int64, user: Int64)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, userId FROM task ORDER BY id").map { ($0["id"], $0["userId"]) }
        }
    }

    /// Seeds the database in one transaction, past the repository (nothing is cached yet).
    static func seed(_ database: any DatabaseWriter, _ users: Int, _ goals: Int, _ tasks: Int) throws -> [Int64] {
        try database.write { db in
            try (0..<users).map { userIndex in
                try db.execute(sql: "INSERT INTO user (name) VALUES (?)", arguments: ["user \(userIndex)"])
                let user = db.lastInsertedRowID
                for goalIndex in 0..<goals {
                    try db.execute(
                        sql: "INSERT INTO goal (userId, title) VALUES (?, ?)",
                        arguments: [user, "goal \(goalIndex) of \(user)"]
                    )
                    let goal = db.lastInsertedRowID
                    for taskIndex in 0..<tasks {
                        try db.execute(
                            sql: "INSERT INTO task (goalId, userId, title) VALUES (?, ?, ?)",
                            arguments: [goal, user, "task \(taskIndex) of \(goal)"]
                        )
                    }
                }
                return user
            }
        }
    }
}

/// Every cacheable answer for a set of users and goals: read straight from the database
/// (the truth) or through the repository (what it answers), to compare.
struct Answers: Equatable {
    var details: [Int64: Goal] = [:]
    var lists: [Int64: [Goal]] = [:]
    var dashboards: [Int64: Dashboard] = [:]
    var tasks: [Int64: [TaskStatus: [GoalTask]]] = [:]

    /// What the database holds, past the cache.
    init(database: any DatabaseReader, goals: [(goal: Int64, user: Int64)], users: [Int64]) throws {
        let ttl = CacheTimeToLives.standard
        try database.read { db in
            for (goal, user) in goals {
                details[goal] = try RepositoryQuery<Goal>.goal(goal, user: user, ttl).fetch(db)
            }
            for user in users {
                lists[user] = try RepositoryQuery<[Goal]>.goalList(user: user, ttl).fetch(db)
                dashboards[user] = try RepositoryQuery<Dashboard>.dashboard(user: user, ttl).fetch(db)
                for status in TaskStatus.allCases {
                    tasks[user, default: [:]][status] = try RepositoryQuery<[GoalTask]>.tasks(status, user: user, ttl)
                        .fetch(db)
                }
            }
        }
    }

    /// What the repository answers, through its cache.
    init(repository: GoalsRepository, goals: [(goal: Int64, user: Int64)], users: [Int64]) throws {
        for (goal, user) in goals { details[goal] = try repository.goal(goal, user: user) }
        for user in users {
            lists[user] = try repository.goals(user: user)
            dashboards[user] = try repository.dashboard(user: user)
            for status in TaskStatus.allCases {
                tasks[user, default: [:]][status] = try repository.tasks(status, user: user)
            }
        }
    }
}
