/// The names the repository caches under: one key per entry, and the tags that let a
/// write invalidate exactly the entries it made stale.
///
/// Every entry of a user carries `user:ID` (deleting the user drops them all). Goal entries
/// carry one tag per reason to invalidate them: a goal's detail `goal:GOALID`, the list
/// `goals:user:ID`, the dashboard `dashboard:user:ID`. Task lists, one per status, are keyed
/// `user:tasks:STATUS:ID` so that one pattern, `user:tasks:*:ID`, finds all of a user's; the
/// colon before the ID keeps user 7's pattern off user 17's keys.
enum CacheKeys {
    static func profile(user: Int64) -> String { "user:profile:\(user)" }
    static func goal(_ goal: Int64, user: Int64) -> String { "user:goal:\(goal):\(user)" }
    static func goalList(user: Int64) -> String { "user:goals:list:\(user)" }
    static func dashboard(user: Int64) -> String { "user:dashboard:\(user)" }
    static func tasks(_ status: TaskStatus, user: Int64) -> String { "user:tasks:\(status.rawValue):\(user)" }
    static func allTaskLists(user: Int64) -> String { "user:tasks:*:\(user)" }
}

/// The tags of `CacheKeys`' entries.
enum CacheTags {
    static func user(_ user: Int64) -> String { "user:\(user)" }
    static func goal(_ goal: Int64) -> String { "goal:\(goal)" }
    static func goals(user: Int64) -> String { "goals:user:\(user)" }
    static func dashboard(user: Int64) -> String { "dashboard:user:\(user)" }
}

/// How long each class of entry stays cached: task lists change often and are cheap to
/// reload, models (users, goals, goal lists, dashboards) change only through the
/// repository, which invalidates them, so their time to live only bounds what a missed
/// invalidation could cost.
struct CacheTimeToLives: Sendable, Equatable {
    var tasks: Duration
    var models: Duration

    /// Task lists for 2 minutes, models for 3 days.
    static let standard = CacheTimeToLives(tasks: .seconds(120), models: .seconds(3 * 86_400))
}
