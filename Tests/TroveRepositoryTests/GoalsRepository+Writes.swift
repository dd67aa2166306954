import GRDB

/// Writes: each commits, then invalidates exactly the cached entries it made stale.
///
/// Invalidating after the commit, rather than putting the new value, keeps concurrent
/// writers from leaving an older value cached last; and a load that read the old row
/// before the commit caches nothing, since Trove drops a load that an invalidation of its
/// key or tag overtook.
extension GoalsRepository {
    /// A goal the write was asked about does not exist for that user.
    struct NotFound: Error, Equatable {}

    func createUser(name: String) throws -> User {
        try database.write { db in
            try db.execute(sql: "INSERT INTO user (name) VALUES (?)", arguments: [name])
            return User(id: db.lastInsertedRowID, name: name)
        }
    }

    /// Renames a user: only the profile entry shows the name, so only its key goes.
    func renameUser(_ user: Int64, to name: String) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE user SET name = ? WHERE id = ?", arguments: [name, user])
            guard db.changesCount == 1 else { throw NotFound() }
        }
        cache.invalidate(keys: [CacheKeys.profile(user: user)])
    }

    /// Deletes a user, their goals and tasks (the database cascades), and every entry
    /// cached for them (the `user:ID` tag cascades).
    func deleteUser(_ user: Int64) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM user WHERE id = ?", arguments: [user])
        }
        cache.invalidate(tags: [CacheTags.user(user)])
    }

    /// A new goal: the user's goal list and dashboard are stale; no detail was cached.
    func createGoal(user: Int64, title: String) throws -> Goal {
        let goal = try database.write { db in
            try db.execute(sql: "INSERT INTO goal (userId, title) VALUES (?, ?)", arguments: [user, title])
            return Goal(id: db.lastInsertedRowID, userId: user, title: title, isCompleted: false, version: 1)
        }
        cache.invalidate(tags: [CacheTags.goals(user: user), CacheTags.dashboard(user: user)])
        return goal
    }

    /// Retitles a goal: its detail, the list and the dashboard are stale.
    func updateGoal(_ goal: Int64, user: Int64, title: String) throws -> Goal {
        try changeGoal(goal, user: user, "title = ?", [title])
    }

    /// Completes a goal: its detail, the list and the dashboard are stale.
    func completeGoal(_ goal: Int64, user: Int64) throws -> Goal {
        try changeGoal(goal, user: user, "isCompleted = 1", [])
    }

    /// A new open task: the user's list of open tasks is stale.
    func addTask(goal: Int64, user: Int64, title: String) throws -> GoalTask {
        let task = try database.write { db in
            try db.execute(
                sql: "INSERT INTO task (goalId, userId, title) VALUES (?, ?, ?)",
                arguments: [goal, user, title]
            )
            return GoalTask(id: db.lastInsertedRowID, goalId: goal, userId: user, title: title, status: .open)
        }
        cache.invalidate(keys: [CacheKeys.tasks(.open, user: user)])
        return task
    }

    /// Moves a task to `status`: the user's task lists, of every status, are stale (the
    /// pattern `user:tasks:*:ID`, since the old status would need a read to know).
    func setTaskStatus(_ task: Int64, user: Int64, to status: TaskStatus) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE task SET status = ? WHERE id = ? AND userId = ?",
                arguments: [status, task, user]
            )
            guard db.changesCount == 1 else { throw NotFound() }
        }
        cache.invalidate(patterns: [CacheKeys.allTaskLists(user: user)])
    }

    private func changeGoal(
        _ goal: Int64,
        user: Int64,
        _ assignment: String,
        _ values: StatementArguments
    ) throws -> Goal {
        let changed = try database.write { db in
            try Goal.fetchOne(
                db,
                sql: "UPDATE goal SET \(assignment), version = version + 1 WHERE id = ? AND userId = ? RETURNING *",
                arguments: values + [goal, user]
            )
        }
        guard let changed else { throw NotFound() }
        cache.invalidate(
            tags: [CacheTags.goal(goal), CacheTags.goals(user: user), CacheTags.dashboard(user: user)]
        )
        return changed
    }
}
