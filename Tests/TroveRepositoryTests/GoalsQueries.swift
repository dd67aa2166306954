import GRDB

/// The repository's reads, each with its cache key, time to live and tags (see `CacheKeys`).
///
/// Raw SQL, fetched through `Codable` records: no schema look-up ever runs beside a read,
/// so one read is one `SELECT`.
extension RepositoryQuery {
    static func profile(user: Int64, _ ttl: CacheTimeToLives) -> RepositoryQuery<User> {
        RepositoryQuery<User>(key: CacheKeys.profile(user: user), timeToLive: ttl.models, tags: [CacheTags.user(user)])
        {
            try User.fetchOne($0, sql: "SELECT * FROM user WHERE id = ?", arguments: [user])
        }
    }

    static func goal(_ goal: Int64, user: Int64, _ ttl: CacheTimeToLives) -> RepositoryQuery<Goal> {
        RepositoryQuery<Goal>(
            key: CacheKeys.goal(goal, user: user),
            timeToLive: ttl.models,
            tags: [CacheTags.user(user), CacheTags.goal(goal)]
        ) {
            try Goal.fetchOne($0, sql: "SELECT * FROM goal WHERE id = ? AND userId = ?", arguments: [goal, user])
        }
    }

    static func goalList(user: Int64, _ ttl: CacheTimeToLives) -> RepositoryQuery<[Goal]> {
        RepositoryQuery<[Goal]>(
            key: CacheKeys.goalList(user: user),
            timeToLive: ttl.models,
            tags: [CacheTags.user(user), CacheTags.goals(user: user)]
        ) {
            try Goal.fetchAll($0, sql: "SELECT * FROM goal WHERE userId = ? ORDER BY id", arguments: [user])
        }
    }

    static func dashboard(user: Int64, _ ttl: CacheTimeToLives) -> RepositoryQuery<Dashboard> {
        RepositoryQuery<Dashboard>(
            key: CacheKeys.dashboard(user: user),
            timeToLive: ttl.models,
            tags: [CacheTags.user(user), CacheTags.dashboard(user: user)]
        ) {
            try Dashboard.fetchOne(
                $0,
                sql: """
                    SELECT ? AS userId, COUNT(*) AS goalCount, COALESCE(SUM(isCompleted), 0) AS completedCount
                    FROM goal WHERE userId = ?
                    """,
                arguments: [user, user]
            )
        }
    }

    static func tasks(_ status: TaskStatus, user: Int64, _ ttl: CacheTimeToLives) -> RepositoryQuery<[GoalTask]> {
        RepositoryQuery<[GoalTask]>(
            key: CacheKeys.tasks(status, user: user),
            timeToLive: ttl.tasks,
            tags: [CacheTags.user(user)]
        ) {
            try GoalTask.fetchAll(
                $0,
                sql: "SELECT * FROM task WHERE userId = ? AND status = ? ORDER BY id",
                arguments: [user, status]
            )
        }
    }
}
