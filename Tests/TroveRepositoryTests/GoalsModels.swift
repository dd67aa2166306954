import GRDB

/// A user of the goals service: the `user` table.
struct User: Codable, Equatable, Sendable, FetchableRecord {
    var id: Int64
    var name: String
}

/// A goal a user set: the `goal` table. `version` counts its updates, so a reader can tell
/// how recent a goal it was given is.
struct Goal: Codable, Equatable, Sendable, FetchableRecord {
    var id: Int64
    var userId: Int64
    var title: String
    var isCompleted: Bool
    var version: Int
}

/// Where a task stands; the value in the `task.status` column and in task-list keys.
enum TaskStatus: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case open
    case inProgress = "in-progress"
    case done
}

/// A step towards a goal: the `task` table.
struct GoalTask: Codable, Equatable, Sendable, FetchableRecord {
    var id: Int64
    var goalId: Int64
    var userId: Int64
    var title: String
    var status: TaskStatus
}

/// A user's summary of their goals, computed by one aggregate query.
struct Dashboard: Codable, Equatable, Sendable, FetchableRecord {
    var userId: Int64
    var goalCount: Int
    var completedCount: Int
}
